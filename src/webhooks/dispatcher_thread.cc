#include "webhooks/dispatcher_thread.h"

#include <atomic>
#include <condition_variable>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "core/time.h"
#include "db/connection.h"

namespace pb::webhooks {
namespace {

struct Dispatcher {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stopping{false};
  std::thread thread;
};

Dispatcher& State() {
  static Dispatcher d;
  return d;
}

void Loop(std::string url, DispatchOptions options) {
  Dispatcher& d = State();
  options.cancel = &d.stopping;
  api::ThreadState state;
  std::unique_ptr<DeliveryPump> pump;
  Micros next_queue = 0;
  int failed_seen = 0;
  while (!d.stopping) {
    bool busy = false;
    try {
      if (!state.conn) {
        state.conn = db::Open(url);
        pump = std::make_unique<DeliveryPump>(*state.conn, options);
      }
      // New events are looked for once a second; the transfers in flight
      // keep moving in between.
      if (NowMicros() >= next_queue) {
        QueueNewEvents(state, options);
        pump->NewWalk();
        next_queue = NowMicros() + 1000000;
      }
      busy = pump->Step(100);
      if (pump->report.failed > failed_seen) {
        std::fprintf(stderr, "patchbay: %d webhook deliveries given up after a day of retries\n",
                     pump->report.failed - failed_seen);
        failed_seen = pump->report.failed;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "patchbay: webhook dispatcher: %s\n", e.what());
      pump.reset();  // abandons its transfers: their leases run out, they are retried
      state.conn.reset();
      failed_seen = 0;
      next_queue = NowMicros() + 5000000;
    }
    if (busy) continue;
    std::unique_lock lock(d.mu);
    Micros wait = std::max<Micros>(next_queue - NowMicros(), 10000);
    d.cv.wait_for(lock, std::chrono::microseconds(wait), [&] { return d.stopping.load(); });
  }
}

}  // namespace

void StartDispatcher(const std::string& database_url, const DispatchOptions& options) {
  Dispatcher& d = State();
  std::lock_guard lock(d.mu);
  if (d.thread.joinable()) return;
  d.thread = std::thread(Loop, database_url, options);
}

void StopDispatcher() {
  Dispatcher& d = State();
  {
    std::lock_guard lock(d.mu);
    if (!d.thread.joinable()) return;
    d.stopping = true;
  }
  d.cv.notify_one();
  d.thread.join();
}

}  // namespace pb::webhooks
