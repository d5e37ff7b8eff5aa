#include "mail/message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pb::mail {
namespace {

TEST(Message, HeadersInOrderWithFoldsKept) {
  std::string raw = "From nobody Mon Jan 1 00:00:00 2000\nSubject: a\n  b\nX-A:\tv  \nx-a: w\n\nbody\n";
  auto m = Message::Parse(raw);
  ASSERT_EQ(m->headers().size(), 3u);
  EXPECT_EQ(m->headers()[0].name, "Subject");
  EXPECT_EQ(m->headers()[0].value, "a\n  b");
  EXPECT_EQ(m->headers()[1].value, "v  ");
  EXPECT_EQ(m->Get("X-a"), "v  ");
  EXPECT_EQ(m->GetAll("X-A").size(), 2u);
  EXPECT_EQ(m->payload(), "body\n");
  EXPECT_EQ(m->ContentType(), "text/plain");
}

TEST(Message, NonHeaderLineStartsTheBody) {
  auto m = Message::Parse("Subject: x\nthis is not a header\nmore\n");
  EXPECT_EQ(m->headers().size(), 1u);
  EXPECT_EQ(m->payload(), "this is not a header\nmore\n");
}

TEST(Message, MultipartPartsLoseTheirLastLineBreak) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\"XX\"\n\npreamble\n--XX\n"
      "Content-Type: text/plain; charset=UTF-8\n\nhello\n\n--XX\n"
      "Content-Type: text/x-patch\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--XX--\nepilogue\n";
  auto m = Message::Parse(raw);
  ASSERT_TRUE(m->is_multipart());
  ASSERT_EQ(m->parts().size(), 2u);
  EXPECT_EQ(m->parts()[0]->payload(), "hello\n");
  EXPECT_EQ(m->parts()[0]->ContentCharset(), "utf-8");
  EXPECT_EQ(m->parts()[1]->ContentSubtype(), "x-patch");
  EXPECT_EQ(m->parts()[1]->DecodedPayload(), "hello");
  std::vector<std::string> types;
  m->Walk([&](const Message& p) { types.push_back(p.ContentType()); });
  EXPECT_EQ(types, (std::vector<std::string>{"multipart/mixed", "text/plain", "text/x-patch"}));
}

TEST(Message, InvalidContentTypeMeansTextPlain) {
  auto m = Message::Parse("Content-Type: garbage\n\nx\n");
  EXPECT_EQ(m->ContentType(), "text/plain");
  auto m2 = Message::Parse("Content-Type: Text/Plain; charset=\"ISO-8859-1\"\n\nx\n");
  EXPECT_EQ(m2->ContentType(), "text/plain");
  EXPECT_EQ(m2->ContentCharset(), "iso-8859-1");
}

TEST(Message, MissingBoundaryKeepsBodyAsPayload) {
  auto m = Message::Parse("Content-Type: multipart/mixed\n\n--a\nx\n");
  EXPECT_FALSE(m->is_multipart());
  EXPECT_EQ(m->payload(), "--a\nx\n");
}

TEST(Message, AttachedMessagesAreWalked) {
  auto m = Message::Parse(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
      "Subject: inner\n\ninner body\n--b--\n");
  std::vector<std::string> types;
  m->Walk([&](const Message& p) { types.push_back(p.ContentType()); });
  EXPECT_EQ(types, (std::vector<std::string>{"multipart/mixed", "message/rfc822", "text/plain"}));
}

TEST(Message, NeverCrashesOnTruncatedInput) {
  for (std::string raw : std::vector<std::string>{"", "\n", "Content-Type: multipart/mixed; boundary=x\n\n--x\n",
                          "Content-Type: message/rfc822\n", std::string("A: \0b\n\n\0", 9),
                          "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: "
                          "multipart/alternative; boundary=y\n\n--y\n--x--\n"}) {
    auto m = Message::Parse(raw);
    m->Walk([](const Message& p) { (void)p.DecodedPayload(); });
  }
}

}  // namespace
}  // namespace pb::mail
