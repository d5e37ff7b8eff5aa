// The outbox (migration 6): composed mails waiting for delivery. Rows leave
// only when a transport accepted them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct OutboxRow {
  Id id = 0;
  Micros created = 0;
  std::string sender;      // envelope sender (bare address)
  std::string recipients;  // envelope recipients, one per line
  std::string message;     // RFC 5322 bytes, LF line ends
  int64_t attempts = 0;
  Micros next_attempt = 0;
  std::string last_error;
};

Id InsertOutboxMail(Connection& c, std::string_view sender, std::string_view recipients,
                    std::string_view message, Micros now);
// Mails with an id above `after_id` due at `now` (by id, at most `limit`;
// with `ignore_backoff` also those waiting to be retried), each leased
// until `lease_until` so that another sender skips them. Run inside a
// transaction.
std::vector<OutboxRow> ClaimDueOutboxMails(Connection& c, Micros now, Micros lease_until,
                                           int64_t limit, bool ignore_backoff, Id after_id);
void DeleteOutboxMail(Connection& c, Id id);
void OutboxMailFailed(Connection& c, Id id, std::string_view error, Micros next_attempt);
// Every queued mail without its body, oldest first (`patchbay mail list`).
std::vector<OutboxRow> ListOutbox(Connection& c);

}  // namespace pb::db
