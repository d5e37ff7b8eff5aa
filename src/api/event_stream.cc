// The event stream: the view that subscribes a client, and the hub that
// feeds every client of the process (see event_stream.h).
#include "api/event_stream.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "api/events.h"
#include "api/response.h"
#include "api/views.h"

namespace pb::api {
namespace {

using Clock = std::chrono::steady_clock;
using db::read::EventRec;

// Events read per statement, live or catching up.
constexpr int64_t kBatch = 200;
// A catching-up client gets its next page only while less than this is
// waiting in its connection: a long backlog flows at the client's pace
// instead of hitting the server's per-stream buffer limit.
constexpr size_t kCatchUpQueued = 64 << 10;
// PostgreSQL: without a notification, look anyway this often (a
// notification sent while the connection was being re-established is lost).
constexpr int kNotifyWaitMs = 50;
constexpr auto kPgSafetyPoll = std::chrono::seconds(1);
constexpr auto kRetryAfterError = std::chrono::seconds(1);

const http::Request& NoRequest() {
  static const http::Request r;
  return r;
}

// "id: 7\nevent: patch-created\ndata: {...}\n\n"
void AppendMessage(std::string& out, const EventRec& e, std::string_view json) {
  out += "id: ";
  out += std::to_string(e.id);
  out += "\nevent: ";
  out += e.category;
  out += "\ndata: ";
  out += json;
  out += "\n\n";
}

class Hub final : public EventHub, public std::enable_shared_from_this<Hub> {
 public:
  explicit Hub(EventHubOptions options) : options_(std::move(options)) {}
  ~Hub() override { Stop(); }

  void Run() { thread_ = std::thread([this] { Loop(); }); }

  void Subscribe(EventSubscription sub) override {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    incoming_.push_back(std::move(sub));
    wake_.notify_one();
  }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    subs_.clear();
  }

 private:
  // Renders events for one (version, origin): a request context of its own.
  struct Renderer {
    Renderer(ThreadState& state, const EventSubscription& s) : ctx(NoRequest(), state) {
      ctx.version = s.version;
      ctx.versioned = s.versioned;
      ctx.origin = s.origin;
      ctx.api_root = s.api_root;
    }
    Context ctx;
    std::map<db::Id, std::string> json;  // by event id, this round
  };

  void Loop() {
    auto next_keepalive = Clock::now() + options_.keepalive;
    bool connected = false;
    bool notified = false;  // PostgreSQL: LISTEN is on
    auto last_probe = Clock::now();
    for (;;) {
      {
        std::unique_lock lock(mu_);
        if (stopping_) return;
        // SQLite: the poll interval; PostgreSQL waits on its socket below.
        if (!notified || !connected) {
          wake_.wait_for(lock, connected ? options_.poll_interval : kRetryAfterError,
                         [&] { return stopping_ || !incoming_.empty(); });
          if (stopping_) return;
        }
        for (auto& s : incoming_) subs_.push_back(std::move(s));
        incoming_.clear();
      }
      try {
        if (!connected) {
          state_.conn = db::Open(options_.database_url);
          state_.catalog = db::read::Catalog();
          notified = db::read::ListenForEvents(*state_.conn);
          connected = true;
          // The first connection starts at the present; a reconnect goes on
          // from where it stopped and so misses nothing.
          if (last_seen_ < 0) last_seen_ = db::read::MaxEventId(*state_.conn);
        }
        bool look = true;
        if (notified) {
          look = state_.conn->WaitForNotification(kNotifyWaitMs) ||
                 Clock::now() - last_probe > kPgSafetyPoll;
        }
        CatchUp();
        if (look) {
          last_probe = Clock::now();
          Deliver();
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "patchbay: event stream: %s\n", e.what());
        state_.conn.reset();
        connected = false;
      }
      if (Clock::now() >= next_keepalive) {
        Broadcast(": keep-alive\n\n");
        next_keepalive = Clock::now() + options_.keepalive;
      }
    }
  }

  // New events since last_seen_, to every client that is caught up.
  void Deliver() {
    for (;;) {
      db::ReadSnapshot snapshot(*state_.conn);
      auto rows = db::read::EventsAfter(*state_.conn, {}, last_seen_, kBatch);
      if (rows.empty()) return;
      std::map<std::string, Renderer> renderers;
      db::Id before = last_seen_;
      last_seen_ = rows.back().id;
      std::string out;
      for (auto it = subs_.begin(); it != subs_.end();) {
        if (it->cursor < before) {  // still catching up: CatchUp sends these
          ++it;
          continue;
        }
        out.clear();
        for (const auto& e : rows) {
          if (e.id <= it->cursor || !db::read::EventMatches(it->filter, e)) continue;
          AppendMessage(out, e, Json(renderers, *it, e));
        }
        it->cursor = std::max(it->cursor, last_seen_);
        if (!out.empty() && !it->sink->Send(out)) {
          it = subs_.erase(it);
        } else {
          ++it;
        }
      }
      if (static_cast<int64_t>(rows.size()) < kBatch) return;
    }
  }

  // Clients behind last_seen_ (they resumed with Last-Event-ID): one page
  // each per round, from the database, with their own filter.
  void CatchUp() {
    bool any = false;
    for (const auto& s : subs_) any = any || s.cursor < last_seen_;
    if (!any) return;
    db::ReadSnapshot snapshot(*state_.conn);
    std::map<std::string, Renderer> renderers;
    std::string out;
    for (auto it = subs_.begin(); it != subs_.end();) {
      if (it->cursor >= last_seen_ || it->sink->queued() >= kCatchUpQueued) {
        ++it;
        continue;
      }
      auto rows = db::read::EventsAfter(*state_.conn, it->filter, it->cursor, kBatch);
      out.clear();
      for (const auto& e : rows) AppendMessage(out, e, Json(renderers, *it, e));
      // A short page is everything that matches up to now, so the client
      // is level with last_seen_ (and perhaps past it).
      db::Id reached = rows.empty() ? it->cursor : rows.back().id;
      it->cursor = static_cast<int64_t>(rows.size()) < kBatch ? std::max(reached, last_seen_) : reached;
      if (!out.empty() && !it->sink->Send(out)) {
        it = subs_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // The event's JSON for this client's version and origin, rendered once.
  const std::string& Json(std::map<std::string, Renderer>& renderers, const EventSubscription& s,
                          const EventRec& e) {
    std::string key = std::to_string(s.version) + (s.versioned ? "v" : "u") + s.api_root;
    auto it = renderers.find(key);
    if (it == renderers.end()) it = renderers.try_emplace(key, state_, s).first;
    auto& r = it->second;
    auto j = r.json.find(e.id);
    if (j != r.json.end()) return j->second;
    std::string text;
    AppendEventJson(text, r.ctx, e);
    return r.json.emplace(e.id, std::move(text)).first->second;
  }

  void Broadcast(std::string_view bytes) {
    std::erase_if(subs_, [&](EventSubscription& s) { return !s.sink->Send(bytes); });
  }

  EventHubOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<EventSubscription> incoming_;  // under mu_
  // The hub thread's own.
  ThreadState state_;
  std::vector<EventSubscription> subs_;
  db::Id last_seen_ = -1;
};

// Last-Event-ID, else ?since_id=: a non-negative event id.
std::optional<std::optional<db::Id>> ResumeId(const Context& ctx) {
  std::string_view text = ctx.req.Header("last-event-id");
  if (text.empty()) {
    if (const std::string* q = ctx.params.Last("since_id")) text = *q;
  }
  if (text.empty()) return std::optional<db::Id>();
  if (text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::optional<db::Id>(std::stoll(std::string(text)));
}

}  // namespace

std::shared_ptr<EventHub> EventHub::Start(EventHubOptions options) {
  auto hub = std::make_shared<Hub>(std::move(options));
  hub->Run();
  return hub;
}

http::Response EventStreamView(Context& ctx, const RouteArgs&) {
  if (!ctx.state.events) {
    return DetailError(503, "Event streams are served by `patchbay serve` only.", kAllowRead);
  }
  EventSubscription sub;
  if (!ParseEventFilter(ctx, &sub.filter)) {
    return DetailError(400, "Invalid filter: no event could match it.", kAllowRead);
  }
  auto resume = ResumeId(ctx);
  if (!resume) return DetailError(400, "Invalid Last-Event-ID.", kAllowRead);
  // Without a resume point: from now on, or from `since` when given.
  if (*resume) {
    sub.cursor = **resume;
  } else if (sub.filter.since) {
    sub.cursor = 0;
  } else {
    sub.cursor = db::read::MaxEventId(ctx.conn());
  }
  sub.version = ctx.version;
  sub.versioned = ctx.versioned;
  sub.origin = ctx.origin;
  sub.api_root = ctx.api_root;
  http::Response r;
  r.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
               {"Cache-Control", "no-cache"},
               {"X-Accel-Buffering", "no"},  // nginx: pass each event on at once
               {"Allow", std::string(kAllowRead)}};
  r.stream = [hub = ctx.state.events, sub = std::move(sub)](std::shared_ptr<http::StreamSink> sink) mutable {
    // The retry hint, and a first line the client sees at once.
    sink->Send("retry: 2000\n: patchbay event stream\n\n");
    sub.sink = std::move(sink);
    hub->Subscribe(std::move(sub));
  };
  return r;
}

}  // namespace pb::api
