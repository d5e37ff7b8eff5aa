#include "webhooks/dispatch.h"

#include <algorithm>
#include <unordered_map>

#include "api/event_json.h"
#include "db/read/events_read.h"
#include "service/webhooks.h"
#include "webhooks/signature.h"

namespace pb::webhooks {
namespace {

constexpr Micros kSecond = 1000000;
constexpr Micros kRetryFor = 24 * 3600 * kSecond;  // then a delivery is failed
constexpr int64_t kEventBatch = 200;                // events rendered per transaction

Micros Backoff(int64_t failures_before) {
  return std::min<Micros>((30 * kSecond) << std::min<int64_t>(failures_before, 7), 3600 * kSecond);
}

}  // namespace

int QueueNewEvents(api::ThreadState& state, const DispatchOptions& options, Micros now) {
  db::Connection& c = *state.conn;
  int queued = 0;
  for (int round = 0; round < 1000; ++round) {
    // Cheap reads first: an idle dispatcher takes no write lock.
    auto low = db::LowestWebhookCursor(c);
    if (!low) return queued;
    db::Id newest = db::MaxEventId(c);
    if (newest <= *low) return queued;
    // Read and render in a snapshot, outside the write lock...
    std::vector<db::WebhookRow> hooks;
    std::vector<db::EventHead> heads;
    std::vector<std::pair<size_t, size_t>> pairs;  // (event head, hook)
    std::unordered_map<db::Id, std::string> bodies;
    {
      db::ReadSnapshot snapshot(c);
      for (auto& w : db::ListWebhooks(c)) {
        if (w.active) hooks.push_back(std::move(w));
      }
      if (hooks.empty()) return queued;
      db::Id from = hooks.front().last_event_id;
      for (const auto& w : hooks) from = std::min(from, w.last_event_id);
      heads = db::EventHeadsAfter(c, from, newest, kEventBatch);
      std::vector<db::Id> wanted;
      for (size_t i = 0; i < heads.size(); ++i) {
        bool any = false;
        for (size_t k = 0; k < hooks.size(); ++k) {
          const auto& w = hooks[k];
          if (w.project_id == heads[i].project_id && heads[i].id > w.last_event_id &&
              service::WebhookWants(w.categories, heads[i].category)) {
            pairs.emplace_back(i, k);
            any = true;
          }
        }
        if (any) wanted.push_back(heads[i].id);
      }
      if (!wanted.empty()) {
        auto events = db::read::EventsByIds(c, wanted);
        auto rendered = api::RenderEvents(state, options.origin, events);
        for (size_t i = 0; i < events.size(); ++i) bodies[events[i].id] = std::move(rendered[i]);
      }
    }
    db::Id up_to = heads.empty() ? newest : heads.back().id;
    // ...then store, unless another dispatcher (or a change to the
    // webhooks) moved a cursor meanwhile: then read again.
    db::Transaction tx(c);
    std::vector<db::WebhookRow> now_hooks;
    for (auto& w : db::ListWebhooks(c)) {
      if (w.active) now_hooks.push_back(std::move(w));
    }
    bool same = now_hooks.size() == hooks.size();
    for (size_t k = 0; same && k < hooks.size(); ++k) {
      same = now_hooks[k].id == hooks[k].id && now_hooks[k].last_event_id == hooks[k].last_event_id;
    }
    if (!same) continue;  // rolled back
    for (const auto& [i, k] : pairs) {
      auto body = bodies.find(heads[i].id);
      if (body == bodies.end()) continue;  // deleted meanwhile
      db::InsertWebhookDelivery(c, hooks[k].id, heads[i].id, NewDeliveryId(), heads[i].category,
                                body->second, now);
      ++queued;
    }
    db::AdvanceWebhookCursors(c, up_to);
    tx.Commit();
    if (up_to >= newest) return queued;
  }
  return queued;
}

DeliveryPump::DeliveryPump(db::Connection& c, const DispatchOptions& options)
    : c_(c), options_(options), pump_(options.limits) {}

void DeliveryPump::Fill() {
  size_t slots = static_cast<size_t>(std::max(1, options_.max_in_flight));
  if (walked_ || pump_.in_flight() >= slots) return;
  Micros now = NowMicros();
  // A cheap read first: an idle dispatcher takes no write lock.
  auto next = db::NextWebhookAttempt(c_);
  if (!next || (*next > now && !options_.retry_all)) {
    walked_ = true;
    return;
  }
  // The lease outlasts any one attempt's timeouts.
  Micros lease = now + 2 * options_.limits.total_timeout_ms * 1000 + 60 * kSecond;
  std::vector<db::DueDelivery> due;
  std::unordered_map<db::Id, db::WebhookRow> hooks;
  {
    db::Transaction tx(c_);
    due = db::ClaimDueWebhookDeliveries(c_, now, lease,
                                        static_cast<int64_t>(slots - pump_.in_flight()),
                                        options_.retry_all, after_);
    if (!due.empty()) {
      for (auto& w : db::ListWebhooks(c_)) hooks.emplace(w.id, std::move(w));
    }
    tx.Commit();
  }
  if (due.empty()) {
    walked_ = true;
    return;
  }
  after_ = due.back().id;
  for (auto& d : due) {
    auto w = hooks.find(d.webhook_id);
    if (w == hooks.end()) continue;  // removed meanwhile, with its deliveries
    Post p;
    p.url = w->second.url;
    p.body = d.body;
    p.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "patchbay-webhook/1"},
                 {"X-Patchbay-Event", d.category},
                 {"X-Patchbay-Delivery", d.uuid},
                 {"X-Patchbay-Signature", Signature(w->second.secret, d.body)}};
    pump_.Add(static_cast<uint64_t>(d.id), p);
    sending_.emplace(static_cast<uint64_t>(d.id), std::move(d));
  }
}

void DeliveryPump::Record(const std::vector<std::pair<uint64_t, PostResult>>& done) {
  if (done.empty()) return;
  db::Transaction tx(c_);
  for (const auto& [tag, r] : done) {
    auto it = sending_.find(tag);
    if (it == sending_.end()) continue;
    const db::DueDelivery& d = it->second;
    Micros end = r.started + r.duration_us;
    db::InsertWebhookAttempt(c_, d.id, r.started, r.status, r.error, r.duration_us);
    if (r.ok()) {
      db::WebhookDeliveryDone(c_, d.id, end);
      ++report.delivered;
    } else if (end - d.created >= kRetryFor) {
      db::WebhookDeliveryFailed(c_, d.id, r.error, end);
      ++report.failed;
    } else {
      db::WebhookDeliveryRetry(c_, d.id, r.error, end + Backoff(d.attempts));
      ++report.retrying;
    }
    sending_.erase(it);
  }
  tx.Commit();
}

bool DeliveryPump::Step(int wait_ms) {
  Fill();
  if (pump_.in_flight() == 0) return !walked_;
  Record(pump_.Run(wait_ms));
  return true;
}

DispatchReport DeliverDue(db::Connection& c, const DispatchOptions& options) {
  DeliveryPump pump(c, options);
  while (!(options.cancel && options.cancel->load()) && pump.Step(100)) {}
  return pump.report;
}

DispatchReport RunWebhooksOnce(api::ThreadState& state, const DispatchOptions& options) {
  int queued = QueueNewEvents(state, options);
  DispatchReport r = DeliverDue(*state.conn, options);
  r.queued = queued;
  return r;
}

}  // namespace pb::webhooks
