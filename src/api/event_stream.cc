// The event stream: the view that subscribes a client, and the hub that
// feeds every client of the process (see event_stream.h).
#include "api/event_stream.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "api/events.h"
#include "api/response.h"
#include "api/views.h"
#include "core/event_trace.h"
#include "http/gzip_pieces.h"

namespace pb::api {
namespace {

using Clock = std::chrono::steady_clock;
using db::read::EventRec;

// Events read per statement for a client catching up.
constexpr int64_t kBatch = 200;
// Events read per live round: a bulk ingest commits ~500 mails' events at
// once, and each round costs every client a write, so one round per commit.
constexpr int64_t kLiveBatch = 1000;
// A catching-up client gets its next page only while less than this is
// waiting in its connection: a long backlog flows at the client's pace
// instead of hitting the server's per-stream buffer limit.
constexpr size_t kCatchUpQueued = 64 << 10;
// From this many clients sharing a round's compressed piece, it is
// compressed at zlib's default level instead of its fastest: each byte less
// is a byte less for every one of them to copy and read.
constexpr size_t kDenseClients = 32;
constexpr int kDenseLevel = 6;
// With notifications (PostgreSQL's NOTIFY, SQLite's WAL touch): look
// anyway this often, for one lost while the connection was being
// re-established or a writer that did not signal.
constexpr int kNotifyWaitMs = 50;
constexpr auto kSafetyPoll = std::chrono::seconds(1);
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

// A filter that every event passes: such a client gets a round's messages
// as one shared piece.
bool PassesEverything(const db::read::EventFilter& f) {
  return !f.projects && !f.series && !f.patches && !f.covers && !f.category && !f.actor &&
         !f.since && !f.before && !f.exclude_comment_events;
}

// Clients whose events render alike: same API version and root.
std::string AudienceKey(const EventSubscription& s) {
  return std::to_string(s.version) + (s.versioned ? "v" : "u") + s.api_root;
}

// Shared pieces from this size are compressed in two halves at once
// (Hub::Compress): a bulk commit's ~700 KB take zlib ~3 ms at level 6.
constexpr size_t kSplitCompress = 128 << 10;

// A second thread that runs one job at a time for the hub; started on
// first use.
class Helper {
 public:
  ~Helper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Run(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      job_ = std::move(job);
      done_ = false;
      if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      auto job = std::move(job_);
      job_ = nullptr;
      lock.unlock();
      job();
      lock.lock();
      done_ = true;
      cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool done_ = true;
  bool stop_ = false;
  std::thread thread_;
};

class Hub final : public EventHub, public std::enable_shared_from_this<Hub> {
 public:
  explicit Hub(EventHubOptions options) : options_(std::move(options)) {}
  ~Hub() override { Stop(); }

  void Run() { thread_ = std::thread([this] { Loop(); }); }

  void Subscribe(EventSubscription sub) override {
    Client c;
    c.audience = AudienceKey(sub);
    c.everything = PassesEverything(sub.filter);
    c.sub = std::move(sub);
    std::lock_guard lock(mu_);
    if (stopping_) return;
    incoming_.push_back(std::move(c));
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

  // One subscriber as the hub keeps it.
  struct Client {
    EventSubscription sub;
    std::string audience;     // AudienceKey(sub), computed once
    bool everything = false;  // PassesEverything(sub.filter)
    bool gone = false;        // its stream ended: dropped after the round
  };

  // A round's events rendered for one audience: each message formatted
  // once, and all of them as one piece for the clients without a filter,
  // compressed once for those of them that take gzip.
  struct Rendered {
    std::vector<std::string> messages;  // by row; empty until needed
    std::string all;                    // empty until needed
    std::string all_gzip;               // GzipPiece(all); empty until needed
  };

  void Loop() {
    auto next_keepalive = Clock::now() + options_.keepalive;
    bool connected = false;
    bool notified = false;  // Listen is on: wait for a signal, not the poll interval
    auto last_probe = Clock::now();
    for (;;) {
      {
        std::unique_lock lock(mu_);
        if (stopping_) return;
        // Without notifications, the poll interval; with them, the wait below.
        if (!notified || !connected) {
          wake_.wait_for(lock, connected ? options_.poll_interval : kRetryAfterError,
                         [&] { return stopping_ || !incoming_.empty(); });
          if (stopping_) return;
        }
        for (auto& s : incoming_) subs_.push_back(std::move(s));
        incoming_.clear();
      }
      int64_t woke = trace::On() ? trace::WallNs() : 0;
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
                 Clock::now() - last_probe > kSafetyPoll;
          if (woke) woke = trace::WallNs();
        }
        CatchUp();
        if (look) {
          last_probe = Clock::now();
          Deliver(woke);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "patchbay: event stream: %s\n", e.what());
        state_.conn.reset();
        connected = false;
      }
      if (Clock::now() >= next_keepalive) {
        Broadcast(": keep-alive\n\n", keepalive_gzip_);
        next_keepalive = Clock::now() + options_.keepalive;
      }
    }
  }

  // New events since last_seen_, to every client that is caught up. Each
  // event is formatted once per audience; each client gets one Send per
  // round (one write, however many events); and each round starts at a
  // random client, so no client is always the last one served (a fixed
  // order made the last subscribers wait for 999 writes every time).
  // `woke` (tracing only) is when this look began.
  void Deliver(int64_t woke) {
    for (;;) {
      db::ReadSnapshot snapshot(*state_.conn);
      auto rows = db::read::EventsAfter(*state_.conn, {}, last_seen_, kLiveBatch);
      if (rows.empty()) return;
      const int64_t read = woke ? trace::WallNs() : 0;
      const int64_t cpu_read = woke ? trace::ThreadCpuNs() : 0;
      // Compressed once, sent to every unfiltered gzip client: with many of
      // them zlib's default level pays (a quarter fewer bytes for each, for
      // ~2 ms more once per bulk commit; §10f), with few the fastest does.
      size_t gzip_shared = 0;
      for (const Client& c : subs_) gzip_shared += c.everything && c.sub.gzip && c.sub.cursor >= last_seen_;
      const int shared_level = gzip_shared >= kDenseClients ? kDenseLevel : 1;
      std::map<std::string, Renderer> renderers;
      std::map<std::string_view, Rendered> rendered;
      auto message = [&](const Client& c, size_t i) -> const std::string& {
        Rendered& r = rendered[c.audience];
        if (r.messages.empty()) r.messages.resize(rows.size());
        std::string& m = r.messages[i];
        if (m.empty()) AppendMessage(m, rows[i], Json(renderers, c, rows[i]));
        return m;
      };
      auto all = [&](const Client& c) -> const std::string& {
        Rendered& r = rendered[c.audience];
        if (r.all.empty() && r.messages.empty()) {
          // No filtered client needed this audience's messages yet (the
          // usual case): each event goes straight into the piece, without a
          // string of its own for its JSON and another for its message.
          Context& ctx = RendererFor(renderers, c).ctx;
          for (const EventRec& e : rows) {
            r.all += "id: ";
            r.all += std::to_string(e.id);
            r.all += "\nevent: ";
            r.all += e.category;
            r.all += "\ndata: ";
            AppendEventJson(r.all, ctx, e);
            r.all += "\n\n";
          }
        } else if (r.all.empty()) {
          for (size_t i = 0; i < rows.size(); ++i) r.all += message(c, i);
        }
        if (!c.sub.gzip) return r.all;
        if (r.all_gzip.empty()) r.all_gzip = Compress(r.all, shared_level);
        return r.all_gzip;
      };
      db::Id before = last_seen_;
      last_seen_ = rows.back().id;
      const size_t n = subs_.size();
      const size_t start = n ? std::uniform_int_distribution<size_t>(0, n - 1)(shuffle_) : 0;
      int64_t first_write = 0;  // tracing: when the first client's bytes were ready
      int64_t cpu_piece = 0;    // tracing: the hub's CPU until then, from the read
      for (size_t k = 0; k < n; ++k) {
        Client& c = subs_[(start + k) % n];
        if (c.sub.cursor < before) continue;  // still catching up: CatchUp sends these
        bool sent = true;
        if (c.everything && c.sub.cursor < rows.front().id) {
          const std::string& piece = all(c);
          if (woke && !first_write) {
            first_write = trace::WallNs();
            cpu_piece = trace::ThreadCpuNs() - cpu_read;
          }
          sent = c.sub.sink->Send(piece);
        } else {
          out_.clear();
          for (size_t i = 0; i < rows.size(); ++i) {
            if (rows[i].id <= c.sub.cursor || !db::read::EventMatches(c.sub.filter, rows[i])) continue;
            out_ += message(c, i);
          }
          if (!out_.empty()) sent = SendOwn(c, out_);
        }
        c.sub.cursor = std::max(c.sub.cursor, last_seen_);
        c.gone = !sent;
      }
      if (woke) {
        // Stage times for bench/sse_bench.py: woke, read, queued to every
        // client, the round's ids and clients, when the shared piece was
        // ready (rendered and compressed: the first write could begin), and
        // the hub's CPU from the read to then and to the round's end.
        trace::Note("round " + std::to_string(woke) + " " + std::to_string(read) + " " +
                    std::to_string(trace::WallNs()) + " " + std::to_string(rows.front().id) + " " +
                    std::to_string(rows.back().id) + " " + std::to_string(n) + " " +
                    std::to_string(first_write) + " " + std::to_string(cpu_piece) + " " +
                    std::to_string(trace::ThreadCpuNs() - cpu_read));
        woke = read;
      }
      std::erase_if(subs_, [](const Client& c) { return c.gone; });
      if (static_cast<int64_t>(rows.size()) < kLiveBatch) return;
    }
  }

  // Clients behind last_seen_ (they resumed with Last-Event-ID): one page
  // each per round, from the database, with their own filter.
  void CatchUp() {
    bool any = false;
    for (const auto& c : subs_) any = any || c.sub.cursor < last_seen_;
    if (!any) return;
    db::ReadSnapshot snapshot(*state_.conn);
    std::map<std::string, Renderer> renderers;
    for (auto& c : subs_) {
      auto& s = c.sub;
      if (s.cursor >= last_seen_ || s.sink->queued() >= kCatchUpQueued) continue;
      auto rows = db::read::EventsAfter(*state_.conn, s.filter, s.cursor, kBatch);
      out_.clear();
      for (const auto& e : rows) AppendMessage(out_, e, Json(renderers, c, e));
      // A short page is everything that matches up to now, so the client
      // is level with last_seen_ (and perhaps past it).
      db::Id reached = rows.empty() ? s.cursor : rows.back().id;
      s.cursor = static_cast<int64_t>(rows.size()) < kBatch ? std::max(reached, last_seen_) : reached;
      if (!out_.empty() && !SendOwn(c, out_)) c.gone = true;
    }
    std::erase_if(subs_, [](const Client& c) { return c.gone; });
  }

  Renderer& RendererFor(std::map<std::string, Renderer>& renderers, const Client& c) {
    auto it = renderers.find(c.audience);
    if (it == renderers.end()) it = renderers.try_emplace(c.audience, state_, c.sub).first;
    return it->second;
  }

  // The event's JSON for this client's version and origin, rendered once.
  const std::string& Json(std::map<std::string, Renderer>& renderers, const Client& c,
                          const EventRec& e) {
    auto& r = RendererFor(renderers, c);
    auto j = r.json.find(e.id);
    if (j != r.json.end()) return j->second;
    std::string text;
    AppendEventJson(text, r.ctx, e);
    return r.json.emplace(e.id, std::move(text)).first->second;
  }

  // GzipPiece(text, level), a big text in two halves at once, the first
  // on the helper thread: pieces can follow one another, so the two
  // compressed halves make one piece, and every client waits for it before
  // its first byte (the second half starting from an empty window costs
  // ~1 % more bytes: 460 against 455 MB in §10f).
  std::string Compress(const std::string& text, int level) {
    if (text.size() < kSplitCompress) return http::GzipPiece(text, level);
    // Split after a message ("\n\n"), so each half is whole lines.
    size_t cut = text.find("\n\n", text.size() / 2);
    if (cut == std::string::npos) return http::GzipPiece(text, level);
    cut += 2;
    std::string_view first(text.data(), cut);
    std::string_view second(text.data() + cut, text.size() - cut);
    std::string head;
    std::exception_ptr failed;  // zlib's, rethrown here, where the hub catches it
    compressor_.Run([&] {
      try {
        head = http::GzipPiece(first, level);
      } catch (...) {
        failed = std::current_exception();
      }
    });
    std::string tail;
    try {
      tail = http::GzipPiece(second, level);
    } catch (...) {
      compressor_.Wait();  // the helper still uses `first` and `head`
      throw;
    }
    compressor_.Wait();
    if (failed) std::rethrow_exception(failed);
    return head + tail;
  }

  // Text made for this client alone, compressed when it takes gzip.
  static bool SendOwn(Client& c, const std::string& text) {
    return c.sub.sink->Send(c.sub.gzip ? http::GzipPiece(text) : text);
  }

  void Broadcast(std::string_view text, std::string_view gzipped) {
    std::erase_if(subs_, [&](Client& c) { return !c.sub.sink->Send(c.sub.gzip ? gzipped : text); });
  }

  EventHubOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<Client> incoming_;  // under mu_
  // The hub thread's own.
  ThreadState state_;
  std::vector<Client> subs_;
  db::Id last_seen_ = -1;
  std::minstd_rand shuffle_{std::random_device{}()};  // where Deliver's rounds start
  std::string out_;   // one client's bytes of a round; keeps its capacity
  Helper compressor_;  // Compress's second thread
  const std::string keepalive_gzip_ = http::GzipPiece(": keep-alive\n\n");
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
  // A thousand clients of one busy list get the same megabytes: compressed,
  // they are a tenth of that, and the hub compresses each shared piece once.
  sub.gzip = http::AcceptsGzip(ctx.req.Header("accept-encoding"));
  http::Response r;
  r.headers = {{"Content-Type", "text/event-stream; charset=utf-8"},
               {"Cache-Control", "no-cache"},
               {"X-Accel-Buffering", "no"},  // nginx: pass each event on at once
               {"Vary", "Accept-Encoding"},
               {"Allow", std::string(kAllowRead)}};
  if (sub.gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.stream = [hub = ctx.state.events, sub = std::move(sub)](std::shared_ptr<http::StreamSink> sink) mutable {
    // The retry hint, and a first line the client sees at once.
    constexpr std::string_view kHello = "retry: 2000\n: patchbay event stream\n\n";
    if (sub.gzip) {
      sink->Send(std::string(http::kGzipHeader) + http::GzipPiece(kHello));
    } else {
      sink->Send(kHello);
    }
    sub.sink = std::move(sink);
    hub->Subscribe(std::move(sub));
  };
  return r;
}

}  // namespace pb::api
