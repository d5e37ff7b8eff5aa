// How patchbay sends mail: an SMTP relay (libcurl) or a local sendmail
// binary, the sender addresses, and the site URL that links in mails use.
// Read from a `key = value` file (--mail-config FILE or
// $PATCHBAY_MAIL_CONFIG) and overridden by command-line flags.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace pb::notify {

enum class Transport { kNone, kSmtp, kSendmail };
enum class Security { kNone, kStartTls, kTls };

struct MailConfig {
  Transport transport = Transport::kNone;  // kNone: mail waits in the outbox
  std::string smtp_host = "localhost";
  int smtp_port = 0;  // 0: 465 for TLS, else 25
  Security smtp_security = Security::kNone;
  std::string smtp_user, smtp_password;  // no AUTH when the user is empty
  int smtp_timeout_seconds = 30;
  std::string sendmail = "/usr/sbin/sendmail";
  // Upstream's DEFAULT_FROM_EMAIL and NOTIFICATION_FROM_EMAIL.
  std::string from = "Patchwork <patchwork@patchwork.example.com>";
  std::string notification_from;  // "" = `from`
  std::string reply_to;           // "" = no Reply-To header (upstream sets none)
  std::string site_url;           // "http://host" for links; "" = the server's base URL
  int notification_delay_minutes = 10;   // NOTIFICATION_DELAY_MINUTES
  int confirmation_validity_days = 7;    // CONFIRMATION_VALIDITY_DAYS

  int port() const;
  const std::string& notification_sender() const {
    return notification_from.empty() ? from : notification_from;
  }
};

// One setting by its file key (`smtp_host`, `transport`, ...). Unknown keys
// and bad values are errors, so a typo does not silently drop mail.
Status SetMailOption(MailConfig& config, std::string_view key, std::string_view value);
// Reads a config file: `key = value` lines, `#` comments, blank lines.
Status LoadMailConfigFile(MailConfig& config, const std::string& path);
// "smtp://host:25 (starttls)" or "sendmail /usr/sbin/sendmail" or "none".
std::string DescribeTransport(const MailConfig& config);

}  // namespace pb::notify
