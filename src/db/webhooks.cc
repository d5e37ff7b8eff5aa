#include "db/webhooks.h"

#include <algorithm>

namespace pb::db {
namespace {

constexpr const char* kWebhookColumns =
    "w.id, w.project_id, p.linkname, w.url, w.secret, w.categories, w.active, w.created, "
    "w.last_event_id";

WebhookRow ReadWebhook(Query& q) {
  WebhookRow r;
  r.id = q.Int(0);
  r.project_id = q.Int(1);
  r.project = q.Str(2);
  r.url = q.Str(3);
  r.secret = q.Str(4);
  r.categories = q.Str(5);
  r.active = q.Int(6) != 0;
  r.created = q.Int(7);
  r.last_event_id = q.Int(8);
  return r;
}

}  // namespace

Id InsertWebhook(Connection& c, Id project_id, std::string_view url, std::string_view secret,
                 std::string_view categories, Micros now) {
  return QueryInt(c,
                  "INSERT INTO webhooks (project_id, url, secret, categories, created, last_event_id) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(id), 0) FROM events)) "
                  "RETURNING id",
                  project_id, url, secret, categories, now)
      .value();
}

bool DeleteWebhook(Connection& c, Id id) {
  return Query(c, "DELETE FROM webhooks WHERE id = ?1", id).Run() > 0;
}

bool SetWebhookActive(Connection& c, Id id, bool active) {
  return Query(c,
               "UPDATE webhooks SET last_event_id = CASE WHEN ?2 = 1 AND active = 0 "
               "THEN (SELECT COALESCE(MAX(id), 0) FROM events) ELSE last_event_id END, "
               "active = ?2 WHERE id = ?1",
               id, int64_t{active})
             .Run() > 0;
}

std::vector<WebhookRow> ListWebhooks(Connection& c, std::optional<Id> project_id) {
  Query q(c,
          std::string("SELECT ") + kWebhookColumns +
              " FROM webhooks w JOIN projects p ON p.id = w.project_id "
              "WHERE (?1 = 0 OR w.project_id = ?1) ORDER BY w.id",
          project_id.value_or(0));
  std::vector<WebhookRow> out;
  while (q.Next()) out.push_back(ReadWebhook(q));
  return out;
}

std::optional<WebhookRow> FindWebhook(Connection& c, Id id) {
  Query q(c,
          std::string("SELECT ") + kWebhookColumns +
              " FROM webhooks w JOIN projects p ON p.id = w.project_id WHERE w.id = ?1",
          id);
  if (!q.Next()) return std::nullopt;
  return ReadWebhook(q);
}

Id MaxEventId(Connection& c) {
  return QueryInt(c, "SELECT COALESCE(MAX(id), 0) FROM events").value_or(0);
}

std::optional<Id> LowestWebhookCursor(Connection& c) {
  return QueryInt(c, "SELECT MIN(last_event_id) FROM webhooks WHERE active = 1");
}

std::vector<EventHead> EventHeadsAfter(Connection& c, Id after, Id up_to, int64_t limit) {
  Query q(c,
          "SELECT id, project_id, category FROM events WHERE id > ?1 AND id <= ?2 "
          "ORDER BY id LIMIT ?3",
          after, up_to, limit);
  std::vector<EventHead> out;
  while (q.Next()) out.push_back({q.Int(0), q.Int(1), q.Str(2)});
  return out;
}

void AdvanceWebhookCursors(Connection& c, Id event_id) {
  Query(c, "UPDATE webhooks SET last_event_id = ?1 WHERE active = 1 AND last_event_id < ?1",
        event_id)
      .Run();
}

void InsertWebhookDelivery(Connection& c, Id webhook_id, Id event_id, std::string_view uuid,
                           std::string_view category, std::string_view body, Micros now) {
  Statement& st = c.Prepare(
      "INSERT INTO webhook_deliveries (webhook_id, event_id, uuid, category, body, created, "
      "next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  st.BindInt(1, webhook_id);
  st.BindInt(2, event_id);
  st.BindText(3, uuid);
  st.BindText(4, category);
  st.BindBlob(5, body);  // the exact bytes that are signed and sent
  st.BindInt(6, now);
  while (st.Step()) {}
  st.Reset();
}

std::optional<Micros> NextWebhookAttempt(Connection& c) {
  return QueryInt(c,
                  "SELECT MIN(d.next_attempt) FROM webhook_deliveries d "
                  "JOIN webhooks w ON w.id = d.webhook_id "
                  "WHERE d.status = 'pending' AND w.active = 1");
}

std::vector<DueDelivery> ClaimDueWebhookDeliveries(Connection& c, Micros now, Micros lease_until,
                                                   int64_t limit, bool ignore_backoff,
                                                   Id after_id) {
  Query q(c,
          "UPDATE webhook_deliveries SET leased_until = ?2 WHERE id IN ("
          " SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
          " WHERE d.status = 'pending' AND d.leased_until <= ?1 AND w.active = 1"
          " AND (d.next_attempt <= ?1 OR ?4 = 1) AND d.id > ?5 ORDER BY d.id LIMIT ?3) "
          "RETURNING id, webhook_id, event_id, uuid, category, body, attempts, created",
          now, lease_until, limit, ignore_backoff, after_id);
  std::vector<DueDelivery> out;
  while (q.Next()) {
    DueDelivery d;
    d.id = q.Int(0);
    d.webhook_id = q.Int(1);
    d.event_id = q.Int(2);
    d.uuid = q.Str(3);
    d.category = q.Str(4);
    d.body = std::string(q.Blob(5));
    d.attempts = q.Int(6);
    d.created = q.Int(7);
    out.push_back(std::move(d));
  }
  // RETURNING promises no order.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void InsertWebhookAttempt(Connection& c, Id delivery_id, Micros date, int64_t response_code,
                          std::string_view error, Micros duration_us) {
  Query(c,
        "INSERT INTO webhook_attempts (delivery_id, date, response_code, error, duration_us) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        delivery_id, date, response_code, error, duration_us)
      .Run();
}

void WebhookDeliveryDone(Connection& c, Id delivery_id, Micros now) {
  Query(c,
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, "
        "last_error = '', finished = ?1, leased_until = 0 WHERE id = ?2",
        now, delivery_id)
      .Run();
}

void WebhookDeliveryRetry(Connection& c, Id delivery_id, std::string_view error, Micros next_attempt) {
  Query(c,
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?1, "
        "next_attempt = ?2, leased_until = 0 WHERE id = ?3",
        error, next_attempt, delivery_id)
      .Run();
}

void WebhookDeliveryFailed(Connection& c, Id delivery_id, std::string_view error, Micros now) {
  Query(c,
        "UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, "
        "last_error = ?1, finished = ?2, leased_until = 0 WHERE id = ?3",
        error, now, delivery_id)
      .Run();
}

}  // namespace pb::db
