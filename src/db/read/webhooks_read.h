// Webhook deliveries and their attempts, as `patchbay webhook deliveries`
// and /api/webhooks/ID/deliveries/ show them (no bodies).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db::read {

struct WebhookAttemptRec {
  Id id = 0;
  Id delivery_id = 0;
  Micros date = 0;
  int64_t response_code = 0;  // 0: no HTTP response (refused, timed out, ...)
  std::string error;
  Micros duration_us = 0;
};

struct WebhookDeliveryRec {
  Id id = 0;
  Id webhook_id = 0;
  Id event_id = 0;
  std::string uuid, category, status;  // status: pending, delivered, failed
  Micros created = 0;
  int64_t attempts = 0;
  Micros next_attempt = 0;
  std::string last_error;
  std::optional<Micros> finished;
  std::vector<WebhookAttemptRec> attempt_log;  // oldest first
};

// A webhook's deliveries, newest first, at most `limit` after skipping
// `offset` (one statement), each with its attempts (one more).
std::vector<WebhookDeliveryRec> ListWebhookDeliveries(Connection& c, Id webhook_id, int64_t limit,
                                                      int64_t offset = 0);
int64_t CountWebhookDeliveries(Connection& c, Id webhook_id);

}  // namespace pb::db::read
