// Hands one composed mail to the configured transport: an SMTP relay
// through libcurl (plain, STARTTLS or implicit TLS, optional AUTH) or a
// local sendmail binary. Ok means the transport accepted the mail.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "notify/config.h"

namespace pb::notify {

Status Deliver(const MailConfig& config, const std::string& sender,
               const std::vector<std::string>& recipients, const std::string& message);

}  // namespace pb::notify
