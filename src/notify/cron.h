// `patchbay cron`, upstream's manage.py cron: the batched state-change
// notifications, the expiry of stale confirmations and never-activated
// users, and a delivery run over the outbox.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"
#include "db/connection.h"
#include "notify/config.h"
#include "notify/outbox.h"

namespace pb::notify {

struct CronReport {
  int digests = 0;             // mails queued, one per submitter
  int notifications = 0;       // patch changes they carry
  int dropped = 0;             // changes not mailed: opted out, notifications off, bad address
  int postponed = 0;           // submitters with a change younger than the delay
  int64_t confirmations_expired = 0;
  int64_t users_expired = 0;
  FlushResult delivery;
  std::vector<std::string> errors;  // "Failed sending to <addr>: <why>"
};

// send_notifications(): per submitter, once none of their pending changes
// is younger than the delay, one digest mail (queued in the outbox in the
// transaction that removes the rows, so it is sent exactly once). Opted-out
// addresses and projects with notifications off get nothing.
void QueueNotificationDigests(db::Connection& c, const MailConfig& config,
                              std::string_view site_url, Micros now, CronReport& report);

CronReport RunCron(db::Connection& c, const MailConfig& config, std::string_view site_url,
                   Micros now = NowMicros());

}  // namespace pb::notify
