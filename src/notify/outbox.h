// The outbox: every mail patchbay sends is first stored (db/outbox.h), then
// delivered. Delivery failures keep the mail with its error and retry it
// later (1 min, 2, 4, ... at most an hour apart), so nothing is lost.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "db/connection.h"
#include "notify/compose.h"
#include "notify/config.h"

namespace pb::notify {

// Composes and stores the mail. Runs inside the caller's transaction when
// there is one, so a confirmation and its mail commit together.
Status QueueMail(db::Connection& c, const OutgoingMail& mail, Micros now = NowMicros());

struct FlushResult {
  int sent = 0;
  int failed = 0;
  std::vector<std::string> errors;  // "to <addr>: <reason>", one per failure
};
// Delivers the mails that are due (`retry_all`: also those waiting out a
// retry delay, as `cron` and `mail send` do). Each is leased in a short
// transaction first, so a server's sender thread and a cron run never send
// one twice.
FlushResult FlushOutbox(db::Connection& c, const MailConfig& config, bool retry_all,
                        Micros now = NowMicros());

}  // namespace pb::notify
