// The webhook dispatcher, in two steps that each run in short
// transactions of their own, never in a writer's:
//  1. Queue: read the events past the webhooks' cursors (db/webhooks.h)
//     and render each once as /api/events/ does, in a read snapshot; then,
//     in a short write transaction and only if no cursor moved meanwhile
//     (another dispatcher), store one delivery per matching webhook
//     (project and category) with its body and a fresh delivery id, and
//     move the cursors on.
//  2. Deliver: lease the due deliveries (several dispatchers, in one or
//     many processes, never take the same one), POST them a few at a time
//     with short timeouts (a free slot is refilled as soon as a transfer
//     ends, so one hung receiver holds one slot, not the others), log every attempt, and retry failures with
//     exponential backoff (30 s, 1 min, 2 min, ... at most an hour apart)
//     until a day after the event, then mark them failed.
// Ingestion and the API only ever insert the event row they always did.
#pragma once

#include <atomic>
#include <string>
#include <unordered_map>

#include "api/context.h"
#include "core/time.h"
#include "db/webhooks.h"
#include "webhooks/http_post.h"

namespace pb::webhooks {

struct DispatchOptions {
  // The origin of absolute URLs in the bodies ("https://patchwork.example.org").
  std::string origin = "http://localhost";
  int max_in_flight = 8;  // deliveries being sent at once
  PostLimits limits;
  bool retry_all = false;  // also deliveries waiting out their backoff (`webhook run --all`)
  const std::atomic<bool>* cancel = nullptr;
};

struct DispatchReport {
  int queued = 0;
  int delivered = 0;
  int retrying = 0;
  int failed = 0;  // given up: a day of retries
};

// Step 1. Uses state.conn. Returns the deliveries queued.
int QueueNewEvents(api::ThreadState& state, const DispatchOptions& options,
                   Micros now = NowMicros());

// Step 2, as a pump: claims due deliveries into free slots, moves the
// transfers, records each attempt as it ends. One walk goes up the ids, so
// each delivery is tried at most once per walk.
class DeliveryPump {
 public:
  DeliveryPump(db::Connection& c, const DispatchOptions& options);
  // Fills free slots (unless this walk has seen everything due), moves the
  // transfers for up to `wait_ms` and records those that ended. False when
  // nothing is in flight and the walk is over.
  bool Step(int wait_ms);
  // Starts a new walk (the server does, once a second).
  void NewWalk() { after_ = 0; walked_ = false; }
  size_t in_flight() const { return pump_.in_flight(); }
  DispatchReport report;

 private:
  void Fill();
  void Record(const std::vector<std::pair<uint64_t, PostResult>>& done);

  db::Connection& c_;
  DispatchOptions options_;
  PostPump pump_;
  std::unordered_map<uint64_t, db::DueDelivery> sending_;
  db::Id after_ = 0;
  bool walked_ = false;
};

// Step 2 to the end of one walk (`webhook run`, `cron`).
DispatchReport DeliverDue(db::Connection& c, const DispatchOptions& options);
// Both steps.
DispatchReport RunWebhooksOnce(api::ThreadState& state, const DispatchOptions& options);

}  // namespace pb::webhooks
