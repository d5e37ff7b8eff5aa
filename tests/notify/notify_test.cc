#include <gtest/gtest.h>

#include "notify/compose.h"
#include "notify/config.h"
#include "notify/messages.h"
#include "service/password_reset.h"

namespace pb::notify {
namespace {

TEST(Compose, HeadersAndEncoding) {
  OutgoingMail m;
  m.from = "Patchwork <patchwork@example.org>";
  m.to = {"J\xC3\xBCrgen <jurgen@example.com>"};
  m.subject = "[net] Patch notification: 1 patch updated \xE2\x9C\x93";
  m.body = "Caf\xC3\xA9\n.\nline\n";
  m.headers = {{"Precedence", "bulk"}};
  auto c = Compose(m, 1700000000LL * 1000000);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sender, "patchwork@example.org");
  ASSERT_EQ(c->recipients.size(), 1u);
  EXPECT_EQ(c->recipients[0], "jurgen@example.com");
  const std::string& t = c->message;
  EXPECT_NE(t.find("From: Patchwork <patchwork@example.org>\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Subject: [net] Patch notification: 1 patch updated =?UTF-8?B?4pyT?="), std::string::npos) << t;
  EXPECT_NE(t.find("J=FCrgen?= <jurgen@example.com>"), std::string::npos) << t;
  EXPECT_NE(t.find("Precedence: bulk\n"), std::string::npos);
  EXPECT_NE(t.find("Message-Id: <"), std::string::npos) << t;
  EXPECT_NE(t.find("Date: Tue, 14 Nov 2023 22:13:20 +0000"), std::string::npos) << t;
  EXPECT_NE(t.find("charset=utf-8"), std::string::npos) << t;
  EXPECT_EQ(t.find("Caf\xC3\xA9"), std::string::npos);  // 8-bit body encoded for 7-bit transport
}

TEST(Compose, RejectsBadAddresses) {
  OutgoingMail m;
  m.from = "patchwork@example.org";
  m.to = {"not an address"};
  EXPECT_FALSE(Compose(m).ok());
  m.to = {"<>"};
  EXPECT_FALSE(Compose(m).ok());
}

TEST(Config, KeysAndErrors) {
  MailConfig c;
  EXPECT_TRUE(SetMailOption(c, "smtp_host", "relay.example.org").ok());
  EXPECT_EQ(c.transport, Transport::kSmtp);
  EXPECT_EQ(c.port(), 25);
  EXPECT_TRUE(SetMailOption(c, "smtp_security", "tls").ok());
  EXPECT_EQ(c.port(), 465);
  EXPECT_TRUE(SetMailOption(c, "site_url", "https://pw.example.org/").ok());
  EXPECT_EQ(c.site_url, "https://pw.example.org");
  EXPECT_FALSE(SetMailOption(c, "smtp_port", "99999").ok());
  EXPECT_FALSE(SetMailOption(c, "smtp_securty", "tls").ok());  // a typo is an error
  EXPECT_EQ(DescribeTransport(c), "smtps://relay.example.org:465");
}

TEST(Messages, NotificationDigest) {
  MailConfig c;
  db::PendingNotification a{1, 7, "ann@example.com", "[1/2] foo: fix", "<m1@x>", "net", "Networking",
                            true, "New", "Accepted", 0};
  db::PendingNotification b = a;
  b.msgid = "<m2@x>";
  b.project_linkname = "bpf";
  OutgoingMail m = NotificationMail(c, "http://pw.example.org", "ann@example.com", {a, b});
  EXPECT_EQ(m.subject, "[bpf,net] Patch notification: 2 patches updated");
  EXPECT_NE(m.body.find(" * net: [1/2] foo: fix\n     - http://pw.example.org/project/net/patch/m1@x/\n"
                        "     - for: Networking\n    was: New\n    now: Accepted\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("The following patches (submitted by you) have been updated"), std::string::npos);
  OutgoingMail one = NotificationMail(c, "http://pw.example.org", "ann@example.com", {a});
  EXPECT_EQ(one.subject, "[net] Patch notification: 1 patch updated");
  EXPECT_NE(one.body.find("The following patch (submitted by you) has been updated"), std::string::npos);
}

TEST(PasswordReset, TokensAreSingleUseAndExpire) {
  db::AccountRow a;
  a.user.id = 42;
  a.user.email = "u@example.com";
  a.password = "pbkdf2_sha256$1$salt$hash";
  Micros now = 1700000000LL * 1000000;
  std::string tok = service::MakeResetToken(a, "secret", now);
  EXPECT_TRUE(service::CheckResetToken(a, "secret", tok, now + 3600LL * 1000000));
  EXPECT_FALSE(service::CheckResetToken(a, "other secret", tok, now));
  EXPECT_FALSE(service::CheckResetToken(a, "secret", tok, now + 4LL * 86400 * 1000000));  // expired
  db::AccountRow changed = a;
  changed.password = "pbkdf2_sha256$1$salt$other";
  EXPECT_FALSE(service::CheckResetToken(changed, "secret", tok, now));  // used: password changed
  db::AccountRow logged_in = a;
  logged_in.last_login = now;
  EXPECT_FALSE(service::CheckResetToken(logged_in, "secret", tok, now));
  EXPECT_EQ(service::ResetUid(42), "NDI");
  EXPECT_EQ(service::ParseResetUid("NDI"), 42);
  EXPECT_FALSE(service::ParseResetUid("!!").has_value());
}

}  // namespace
}  // namespace pb::notify
