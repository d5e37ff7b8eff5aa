// The server's mail sender: one background thread that delivers the outbox
// whenever a page queued a mail (Wake) and once a minute for retries, so
// no request waits for an SMTP conversation.
#pragma once

#include <string>

#include "notify/config.h"

namespace pb::notify {

// Keeps the configuration the pages compose with (MailSettings) and starts
// the thread (once per process; none without a transport). The thread
// opens its own connection.
void StartSender(const std::string& database_url, const MailConfig& config);
// The configuration given to StartSender (defaults before that).
const MailConfig& MailSettings();
// Asks the thread to look at the outbox now; nothing happens without one.
void WakeSender();
// Stops and joins the thread (before the process exits).
void StopSender();

}  // namespace pb::notify
