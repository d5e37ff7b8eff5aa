#include "db/read/webhooks_read.h"

#include <unordered_map>

namespace pb::db::read {

int64_t CountWebhookDeliveries(Connection& c, Id webhook_id) {
  return QueryInt(c, "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?1", webhook_id)
      .value_or(0);
}

std::vector<WebhookDeliveryRec> ListWebhookDeliveries(Connection& c, Id webhook_id, int64_t limit,
                                                      int64_t offset) {
  std::vector<WebhookDeliveryRec> out;
  {
    Query q(c,
            "SELECT id, webhook_id, event_id, uuid, category, status, created, attempts, "
            "next_attempt, last_error, finished FROM webhook_deliveries WHERE webhook_id = ?1 "
            "ORDER BY id DESC LIMIT ?2 OFFSET ?3",
            webhook_id, limit, offset);
    while (q.Next()) {
      WebhookDeliveryRec d;
      d.id = q.Int(0);
      d.webhook_id = q.Int(1);
      d.event_id = q.Int(2);
      d.uuid = q.Str(3);
      d.category = q.Str(4);
      d.status = q.Str(5);
      d.created = q.Int(6);
      d.attempts = q.Int(7);
      d.next_attempt = q.Int(8);
      d.last_error = q.Str(9);
      d.finished = q.OptInt(10);
      out.push_back(std::move(d));
    }
  }
  if (out.empty()) return out;
  std::unordered_map<Id, size_t> at;
  for (size_t i = 0; i < out.size(); ++i) at[out[i].id] = i;
  // The page is a run of consecutive ids of this webhook: their attempts
  // are those between its oldest and newest.
  Query q(c,
          "SELECT a.id, a.delivery_id, a.date, a.response_code, a.error, a.duration_us "
          "FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
          "WHERE d.webhook_id = ?1 AND d.id >= ?2 AND d.id <= ?3 ORDER BY a.id",
          webhook_id, out.back().id, out.front().id);
  while (q.Next()) {
    auto it = at.find(q.Int(1));
    if (it == at.end()) continue;
    out[it->second].attempt_log.push_back(
        {q.Int(0), q.Int(1), q.Int(2), q.Int(3), q.Str(4), q.Int(5)});
  }
  return out;
}

}  // namespace pb::db::read
