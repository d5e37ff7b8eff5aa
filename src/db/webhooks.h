// Webhooks (migration 9): the subscriptions, the deliveries queued for them
// and the log of every attempt. The writes, and the lookups the dispatcher
// makes inside its transactions; listings for people are in
// db/read/webhooks_read.h. Every function runs in the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct WebhookRow {
  Id id = 0;
  Id project_id = 0;
  std::string project;     // linkname
  std::string url;
  std::string secret;
  std::string categories;  // comma-separated; empty: every category
  bool active = true;
  Micros created = 0;
  Id last_event_id = 0;    // events up to here are queued (or were before it existed)
};

// A new webhook starts after the newest event: it is sent what happens from
// now on, not the history.
Id InsertWebhook(Connection& c, Id project_id, std::string_view url, std::string_view secret,
                 std::string_view categories, Micros now);
// False when there was none. Its deliveries and attempts go with it.
bool DeleteWebhook(Connection& c, Id id);
// False when there was none. Turning a disabled webhook on moves its cursor
// to the newest event: what happened while it was off is never sent.
bool SetWebhookActive(Connection& c, Id id, bool active);
// By id; `project_id` limits to one project.
std::vector<WebhookRow> ListWebhooks(Connection& c, std::optional<Id> project_id = std::nullopt);
std::optional<WebhookRow> FindWebhook(Connection& c, Id id);

// The newest event id (0 without events) and the lowest cursor of an
// active webhook (none without one): the dispatcher's "anything to queue?".
Id MaxEventId(Connection& c);
std::optional<Id> LowestWebhookCursor(Connection& c);

struct EventHead {
  Id id = 0;
  Id project_id = 0;
  std::string category;
};
// Events with id in (after, up_to], by id, at most `limit`.
std::vector<EventHead> EventHeadsAfter(Connection& c, Id after, Id up_to, int64_t limit);
// Moves every active webhook's cursor up to `event_id` (never down).
void AdvanceWebhookCursors(Connection& c, Id event_id);

void InsertWebhookDelivery(Connection& c, Id webhook_id, Id event_id, std::string_view uuid,
                           std::string_view category, std::string_view body, Micros now);

struct DueDelivery {
  Id id = 0;
  Id webhook_id = 0;
  Id event_id = 0;
  std::string uuid, category, body;
  int64_t attempts = 0;
  Micros created = 0;
};
// The earliest next_attempt of a pending delivery of an active webhook
// (none: nothing to send; a disabled webhook's queue waits).
std::optional<Micros> NextWebhookAttempt(Connection& c);
// Pending deliveries of active webhooks with an id above `after_id` due at `now`
// (`ignore_backoff`: also those waiting to be retried), by id, at most
// `limit`, each leased until
// `lease_until` so that no other dispatcher takes them: one UPDATE ...
// RETURNING inside the caller's write transaction.
std::vector<DueDelivery> ClaimDueWebhookDeliveries(Connection& c, Micros now, Micros lease_until,
                                                   int64_t limit, bool ignore_backoff,
                                                   Id after_id);

// One try, as sent: the HTTP status (0: no response) and the error.
void InsertWebhookAttempt(Connection& c, Id delivery_id, Micros date, int64_t response_code,
                          std::string_view error, Micros duration_us);
// Outcomes: delivered; to be retried at `next_attempt`; given up.
void WebhookDeliveryDone(Connection& c, Id delivery_id, Micros now);
void WebhookDeliveryRetry(Connection& c, Id delivery_id, std::string_view error, Micros next_attempt);
void WebhookDeliveryFailed(Connection& c, Id delivery_id, std::string_view error, Micros now);

}  // namespace pb::db
