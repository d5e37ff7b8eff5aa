// The mails patchbay sends, worded as upstream's templates
// (templates/patchwork/mails/*, registration/password_reset_email.html).
// `site_url` is the scheme and host links start with ("http://host").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/accounts.h"
#include "notify/compose.h"
#include "notify/config.h"

namespace pb::notify {

OutgoingMail ActivationMail(const MailConfig& c, std::string_view site_url, std::string_view email,
                            std::string_view key);
OutgoingMail UserLinkMail(const MailConfig& c, std::string_view site_url, std::string_view email,
                          std::string_view key);
// action: "optout" or "optin".
OutgoingMail OptRequestMail(const MailConfig& c, std::string_view site_url, std::string_view action,
                            std::string_view email, std::string_view key);
// `reset_path` is /user/password-reset/<uidb64>/<token>/.
OutgoingMail PasswordResetMail(const MailConfig& c, std::string_view site_url,
                               std::string_view email, std::string_view reset_path);
// One submitter's digest of state changes (cron).
OutgoingMail NotificationMail(const MailConfig& c, std::string_view site_url,
                              std::string_view email,
                              const std::vector<db::PendingNotification>& changes);

// "host" of "http://host/..." for the "at <domain>" phrases.
std::string SiteDomain(std::string_view site_url);

}  // namespace pb::notify
