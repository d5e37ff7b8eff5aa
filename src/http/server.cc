// The HTTP/1.x server: the only translation unit that includes Beast/Asio.
//
// Design (measurements in shared/notes/stack-probe.md §2):
//  * one io_context per worker thread, each with its own SO_REUSEPORT
//    acceptor on the same port: the kernel spreads connections, and a
//    connection never leaves its thread, so there are no strands or locks;
//  * no per-operation timers: each worker sweeps its connections once a
//    second and closes those stuck in one phase for too long (idle keep-alive,
//    slow request, slow reader), which costs nothing on the hot path;
//  * header and body limits come from the parser (431 / 413, then close);
//  * SIGINT/SIGTERM: stop accepting, close idle keep-alive connections, let
//    in-flight requests finish (then close), end streams once their queued
//    bytes are written, return once every worker is idle;
//  * streams (Response::stream, for Server-Sent Events): a producer thread
//    (the event hub) writes a stream's bytes itself, with one non-blocking
//    send(), when the connection has nothing queued or in flight; this is
//    the common case and needs no other thread to wake. What the socket
//    does not take at once is queued in the StreamConnection and the
//    connection goes on its worker's StreamFlushQueue (one post per worker
//    however many of its streams a round reached); the worker writes it
//    with no lock held. The descriptor is only written under the
//    connection's mutex while it is attached, and a session detaches it
//    before closing the socket, so a producer never writes to a closed (or
//    reused) descriptor. No thread or timer per stream.
#include "http/server.h"
#include "http/side_pool.h"
#include "core/event_trace.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace pb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// How long a connection may stay in one phase before the sweep closes it.
constexpr auto kReadLimit = std::chrono::seconds(30);   // keep-alive idle or slow request
constexpr auto kWriteLimit = std::chrono::seconds(60);  // client not reading its response
constexpr auto kDrainLimit = std::chrono::seconds(2);   // lingering after an error reply
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Beast throws std::length_error for a field over 65,535 bytes, and nginx and
// Apache in front of upstream Patchwork refuse request lines over 8 KB.
constexpr size_t kMaxTargetBytes = 8192;
constexpr size_t kMaxResponseHeaderValue = 60 << 10;
// Bodies of larger requests are handed back to the OS once answered, so a
// burst of big uploads doesn't leave the process holding their memory.
constexpr size_t kReleaseAfterBodyBytes = 1 << 20;

enum class Phase { kRead, kWrite, kDrain, kStream };

// What all worker threads share: the body budget. The connection cap is
// split evenly between the workers instead (each counts and evicts its own
// connections, without locks; the kernel spreads connections evenly).
struct SharedLimits {
  SharedLimits(int side_threads, size_t side_max_queued) : side(side_threads, side_max_queued) {}
  SidePool side;  // Response::offload work; outlives the workers
  size_t max_connections_per_worker = 0;
  size_t max_body_in_flight = 0;
  std::atomic<size_t> body_in_flight{0};
  size_t max_streams = 0;
  size_t stream_buffer_bytes = 0;
  std::atomic<size_t> streams{0};

  bool ReserveStream() {
    size_t cur = streams.load(std::memory_order_relaxed);
    do {
      if (cur >= max_streams) return false;
    } while (!streams.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed));
    return true;
  }
  void ReleaseStream() { streams.fetch_sub(1, std::memory_order_relaxed); }

  bool ReserveBody(size_t n) {
    size_t cur = body_in_flight.load(std::memory_order_relaxed);
    do {
      if (cur + n > max_body_in_flight) return false;
    } while (!body_in_flight.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
    return true;
  }
  void ReleaseBody(size_t n) { body_in_flight.fetch_sub(n, std::memory_order_relaxed); }
};

// gperftools' tcmalloc, when linked in, keeps freed pages; glibc's malloc
// has malloc_trim. Weak, so the server doesn't depend on the allocator.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

void ReleaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory) {
    MallocExtension_ReleaseFreeMemory();
  } else {
    malloc_trim(0);
  }
}

// A header we would write must be one line and fit Beast's field limit:
// anything else is a bug upstream of here (or an injection attempt), and
// becomes a 500 for that request rather than a crash or a split header.
bool SafeHeaderValue(std::string_view v) {
  if (v.size() > kMaxResponseHeaderValue) return false;
  for (char c : v) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// "http://host:port/xmlrpc/?x" -> "/xmlrpc/?x" (RFC 9112 §3.2.2: a server
// must accept the absolute form; pwclient's XML-RPC transport sends it).
std::string OriginForm(std::string_view target) {
  auto starts_ci = [&](std::string_view prefix) {
    if (target.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(target[i])) != prefix[i]) return false;
    }
    return true;
  };
  size_t skip = starts_ci("http://") ? 7 : starts_ci("https://") ? 8 : 0;
  if (skip == 0) return std::string(target);
  size_t slash = target.find_first_of("/?", skip);
  if (slash == std::string_view::npos) return "/";
  if (target[slash] == '?') return "/" + std::string(target.substr(slash));
  return std::string(target.substr(slash));
}

class Worker;
class Session;

// The streams of one worker that have bytes waiting. A producer (the event
// hub, reaching 1,000 streams a round) adds a stream when it queues bytes;
// the first addition posts one Drain to the worker, which flushes every
// stream added by then. One post per round instead of one per stream: the
// handler allocation, the scheduler's lock and the wake-up were a tenth of
// the server's CPU per delivery.
class StreamFlushQueue : public std::enable_shared_from_this<StreamFlushQueue> {
 public:
  explicit StreamFlushQueue(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  // Any thread.
  void Add(std::weak_ptr<Session> session) {
    std::lock_guard lock(mu_);
    if (closed_) return;
    ready_.push_back(std::move(session));
    if (posted_) return;
    posted_ = true;
    asio::post(ex_, [self = shared_from_this()] { self->Drain(); });
  }
  // The worker is going away: nothing more is posted to it.
  void Shut() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

 private:
  void Drain();  // the worker's thread

  std::mutex mu_;
  std::vector<std::weak_ptr<Session>> ready_;  // under mu_
  bool posted_ = false;
  bool closed_ = false;
  std::vector<std::weak_ptr<Session>> draining_;  // the worker's; keeps its capacity
  asio::any_io_executor ex_;
};

// The StreamSink of one streaming connection. A producer writes to the
// socket itself when nothing is queued or in flight, else appends to
// `pending` under the mutex; the connection's thread takes that in one
// piece per write.
// `attached` goes false (under the mutex) before the Session dies, so a
// producer never posts to a worker whose io_context is gone.
class StreamConnection final : public StreamSink {
 public:
  StreamConnection(asio::any_io_executor ex, std::shared_ptr<StreamFlushQueue> flushes,
                   std::weak_ptr<Session> session, int fd, size_t limit)
      : ex_(std::move(ex)), flushes_(std::move(flushes)), session_(std::move(session)), fd_(fd),
        limit_(limit) {}

  bool Send(std::string_view bytes) override;
  size_t queued() const override {
    std::lock_guard lock(mu_);
    return pending_.size() + writing_;
  }
  void Close() override;

  // The connection's thread: moves the queued bytes into `out` (empty when
  // none, or a write is still in flight).
  void Take(std::string& out) {
    std::lock_guard lock(mu_);
    flush_posted_ = false;
    if (writing_ || pending_.empty()) return;
    out.swap(pending_);
    pending_.clear();
    writing_ = out.size();
  }
  // A write finished; true when more is queued.
  bool Written() {
    std::lock_guard lock(mu_);
    writing_ = 0;
    return !pending_.empty();
  }
  // No more bytes are accepted (shutdown, or the session is going away).
  void Detach() {
    std::lock_guard lock(mu_);
    attached_ = false;
  }
  // Queues bytes on the connection's own thread, past any limit (headers).
  void Prime(std::string bytes) {
    std::lock_guard lock(mu_);
    pending_ += bytes;
  }

 private:
  void PostLocked(void (Session::*what)());

  mutable std::mutex mu_;
  std::string pending_;
  size_t writing_ = 0;
  bool flush_posted_ = false;  // on the flush queue, not yet taken
  bool attached_ = true;
  asio::any_io_executor ex_;
  std::shared_ptr<StreamFlushQueue> flushes_;
  std::weak_ptr<Session> session_;
  int fd_;  // the socket's; open while attached_ (Session::Close detaches first)
  size_t limit_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Worker& worker, SharedLimits& limits);
  ~Session();
  void Start() { ReadHeader(); }
  // Called by the sweep / shutdown.
  void Close() {
    // Producers write to the descriptor directly: stop them before it closes.
    if (stream_) stream_->Detach();
    boost::system::error_code ec;
    socket_.close(ec);
  }
  Phase phase() const { return phase_; }
  Clock::time_point since() const { return since_; }
  bool streaming() const { return stream_ != nullptr; }
  // A stream with a write pending (a client not reading shows up here).
  bool stream_writing() const { return stream_writing_; }
  // Shutdown: stop taking bytes, close once the queued ones are written.
  void EndStream();
  // Writes what the stream's producers queued (the connection's thread).
  void FlushStream();
  // Waiting for a request of which no byte has arrived yet.
  bool IdleBetweenRequests() const {
    return phase_ == Phase::kRead && !mid_request_ && buffer_.size() == 0;
  }

  Session* prev = nullptr;
  Session* next = nullptr;

 private:
  void ReadHeader();
  void OnHeader(boost::system::error_code ec);
  void OnBody(boost::system::error_code ec);
  void Fail(boost::system::error_code ec);
  void Handle();
  void SendError(int status, std::string body);
  void Respond(Response& out, unsigned version, bool keep_alive, bool head);
  void Finish(Response out, const std::string& method, const std::string& path, unsigned version,
              bool keep_alive, bool head);
  void Offload(Response out, const std::string& method, const std::string& path, unsigned version,
               bool keep_alive, bool head);
  void Answer(Response out, Request& req, const std::string& method, const std::string& path,
              unsigned version, bool keep_alive, bool head);
  void Defer(std::function<Response(const Request&)> then, Request& req, unsigned version,
             bool keep_alive, bool head);
  void ReleaseBodyReservation() {
    if (body_reserved_) limits_.ReleaseBody(body_reserved_);
    body_reserved_ = 0;
  }
  void Write(bool close);
  void OnWrite(boost::system::error_code ec, bool close);
  void Drain();
  void StartStream(std::function<void(std::shared_ptr<StreamSink>)> attach, std::string head);
  void WatchStreamClient();
  void SetPhase(Phase p) {
    phase_ = p;
    since_ = Clock::now();
  }

  tcp::socket socket_;
  Worker& worker_;
  SharedLimits& limits_;
  size_t body_reserved_ = 0;
  // Bounded, so that a request part Beast does not limit itself (a chunked
  // body's trailer) cannot grow without end: it fails as header_limit-sized.
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  // Response::shared_body, sent from where it is (Beast gathers the header
  // and the body into one writev) and kept alive until written.
  bhttp::response<bhttp::buffer_body> shared_res_;
  std::shared_ptr<const std::string> shared_body_;
  Phase phase_ = Phase::kRead;
  bool mid_request_ = false;
  Clock::time_point since_ = Clock::now();
  char drain_buf_[4096];
  std::string remote_address_;
  std::string local_address_;
  std::shared_ptr<StreamConnection> stream_;
  std::string stream_out_;  // the bytes of the write in flight
  bool stream_writing_ = false;
  bool stream_ending_ = false;
};

class Worker {
 public:
  Worker(const ServerOptions& options, const Handler& handler, SharedLimits& limits)
      : options_(options), handler_(handler), limits_(limits), ioc_(1), acceptor_(ioc_),
        sweep_(ioc_), stream_flushes_(std::make_shared<StreamFlushQueue>(ioc_.get_executor())) {}

  // Normally run() only returns once every session is gone; if not, abort the
  // rest while this object is still whole, so no handler outlives it.
  ~Worker() {
    stream_flushes_->Shut();
    boost::system::error_code ec;
    acceptor_.close(ec);
    sweep_.cancel();
    for (Session* s = head_; s; s = s->next) s->Close();
    dying_ = true;
    ioc_.restart();
    ioc_.poll();
  }

  Status Listen(const tcp::endpoint& ep) {
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.set_option(ReusePort(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Io("cannot listen on " + ep.address().to_string() + ":" +
                              std::to_string(ep.port()) + ": " + ec.message());
    return Status::Ok();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Run() {
    if (options_.on_thread_start) options_.on_thread_start();
    Accept();
    ArmSweep();
    // An exception escaping a completion handler ends only the connection
    // whose handler threw (its Session goes with the handler); the loop goes on.
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "patchbay: connection dropped after an error: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "patchbay: connection dropped after an unknown error\n");
      }
    }
  }

  // Thread-safe: posts the shutdown into this worker's loop.
  void RequestStop() {
    asio::post(ioc_, [this] {
      stopping_ = true;
      boost::system::error_code ec;
      acceptor_.close(ec);
      for (Session* s = head_; s; s = s->next) {
        if (s->IdleBetweenRequests()) s->Close();
        if (s->streaming()) s->EndStream();
      }
      stop_deadline_ = Clock::now() + kShutdownGrace;
      MaybeFinish();
    });
  }

  bool stopping() const { return stopping_; }
  const std::shared_ptr<StreamFlushQueue>& stream_flushes() const { return stream_flushes_; }
  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }

  void Link(Session* s) {
    ++connections_;
    s->next = head_;
    if (head_) head_->prev = s;
    head_ = s;
  }
  // A stream leaves the connection count (streams have their own cap).
  void BecameStream() { --connections_; }
  void Unlink(Session* s) {
    if (!s->streaming()) --connections_;
    if (s->prev) s->prev->next = s->next; else head_ = s->next;
    if (s->next) s->next->prev = s->prev;
    if (stopping_ && !dying_) asio::post(ioc_, [this] { MaybeFinish(); });
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        // Out of descriptors and the like: make room by closing idle
        // keep-alive connections, and back off briefly instead of spinning.
        CloseIdle(/*keep=*/0);
        auto t = std::make_shared<asio::steady_timer>(ioc_, std::chrono::milliseconds(50));
        t->async_wait([this, t](boost::system::error_code) {
          if (acceptor_.is_open()) Accept();
        });
        return;
      }
      boost::system::error_code ignored;
      if (connections_ >= limits_.max_connections_per_worker && !CloseOldestIdle()) {
        RefuseBusy(std::move(socket));
        Accept();
        return;
      }
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), *this, limits_)->Start();
      Accept();
    });
  }

  // Closes the idle keep-alive connection that waited longest; false if
  // this thread has none.
  bool CloseOldestIdle() {
    Session* oldest = nullptr;
    for (Session* s = head_; s; s = s->next) {
      if (s->IdleBetweenRequests() && (!oldest || s->since() < oldest->since())) oldest = s;
    }
    if (!oldest) return false;
    oldest->Close();
    return true;
  }
  void CloseIdle(size_t keep) {
    size_t kept = 0;
    for (Session* s = head_; s; s = s->next) {
      if (s->IdleBetweenRequests() && kept++ >= keep) s->Close();
    }
  }

  // Over the connection cap with nothing idle to close: a short 503, sent
  // without waiting (the socket buffer takes it), then close.
  static void RefuseBusy(tcp::socket socket) {
    static const char kBusy[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Retry-After: 1\r\nContent-Length: 24\r\nConnection: close\r\n\r\n"
        "Too many connections.\r\n\r\n";
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kBusy, sizeof kBusy - 1), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  void ArmSweep() {
    sweep_.expires_after(std::chrono::seconds(1));
    sweep_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      Sweep();
      if (stopping_ && !head_) return;
      ArmSweep();
    });
  }

  void Sweep() {
    auto now = Clock::now();
    bool hard = stopping_ && now > stop_deadline_;
    for (Session* s = head_; s; s = s->next) {
      if (s->phase() == Phase::kStream) {
        // An idle stream may last for ever; one write stuck for long is a
        // client that stopped reading.
        if (hard || (s->stream_writing() && now - s->since() > kWriteLimit)) s->Close();
        continue;
      }
      auto limit = s->phase() == Phase::kRead    ? kReadLimit
                   : s->phase() == Phase::kWrite ? kWriteLimit
                                                 : kDrainLimit;
      if (hard || now - s->since() > limit) s->Close();
    }
  }

  void MaybeFinish() {
    if (stopping_ && !head_) sweep_.cancel();
  }

  const ServerOptions& options_;
  const Handler& handler_;
  SharedLimits& limits_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer sweep_;
  std::shared_ptr<StreamFlushQueue> stream_flushes_;
  Session* head_ = nullptr;
  size_t connections_ = 0;
  bool stopping_ = false;
  bool dying_ = false;
  Clock::time_point stop_deadline_;
};

Session::Session(tcp::socket socket, Worker& worker, SharedLimits& limits)
    : socket_(std::move(socket)),
      worker_(worker),
      limits_(limits),
      buffer_(worker.options().max_header_bytes) {
  worker_.Link(this);
  // Once per connection: two syscalls per request otherwise.
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_address_ = ep.address().to_string();
  auto local = socket_.local_endpoint(ec);
  if (!ec) {
    local_address_ = local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                             : local.address().to_string();
    local_address_ += ':';
    local_address_ += std::to_string(local.port());
  }
}

Session::~Session() {
  ReleaseBodyReservation();
  if (stream_) {
    stream_->Detach();
    limits_.ReleaseStream();
  }
  worker_.Unlink(this);
}

void Session::ReadHeader() {
  if (worker_.stopping() && buffer_.size() == 0) return Close();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(worker_.options().max_header_bytes));
  parser_->body_limit(worker_.options().max_body_bytes);
  mid_request_ = buffer_.size() > 0;
  SetPhase(Phase::kRead);
  bhttp::async_read_header(socket_, buffer_, *parser_,
                           [self = shared_from_this()](boost::system::error_code ec, size_t) {
                             self->OnHeader(ec);
                           });
}

void Session::OnHeader(boost::system::error_code ec) {
  if (ec) return Fail(ec);
  mid_request_ = true;
  auto& req = parser_->get();
  if (req.target().size() > kMaxTargetBytes) return SendError(414, "URI too long.\n");
  if (parser_->is_done()) return Handle();
  auto read_body = [self = shared_from_this()] {
    bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                      [self](boost::system::error_code ec, size_t) { self->OnBody(ec); });
  };
  // A declared body over the limit is refused before the client sends it.
  if (auto len = parser_->content_length();
      len && *len > worker_.options().max_body_bytes) {
    return SendError(413, "Request body too large.\n");
  }
  // Chunked bodies have no declared size: they hold the most they may use.
  size_t reserve = parser_->content_length().value_or(
      std::min(worker_.options().max_body_bytes, limits_.max_body_in_flight));
  if (!limits_.ReserveBody(reserve)) {
    return SendError(503, "Too many request bodies in flight; retry shortly.\n");
  }
  body_reserved_ = reserve;
  if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(socket_, asio::buffer(kContinue, sizeof kContinue - 1),
                      [self = shared_from_this(), read_body](boost::system::error_code ec, size_t) {
                        if (ec) return self->Close();
                        read_body();
                      });
    return;
  }
  read_body();
}

void Session::OnBody(boost::system::error_code ec) {
  if (ec) return Fail(ec);
  Handle();
}

void Session::Fail(boost::system::error_code ec) {
  // buffer_overflow: a chunked body's trailer (Beast limits only the header
  // itself) outgrew the header-sized buffer.
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return SendError(431, "Request header fields too large.\n");
  }
  if (ec == bhttp::error::body_limit) return SendError(413, "Request body too large.\n");
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return SendError(400, "Bad request.\n");
  }
  Close();  // EOF, reset, closed by the sweep: nothing to answer
}

void Session::SendError(int status, std::string body) {
  ReleaseBodyReservation();
  parser_.reset();
  shared_body_.reset();
  res_ = {};
  res_.version(11);
  res_.result(static_cast<unsigned>(status));
  res_.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  res_.content_length(body.size());
  res_.set(bhttp::field::connection, "close");
  if (status == 503) res_.set(bhttp::field::retry_after, "1");
  res_.body() = std::move(body);
  Write(/*close=*/true);
}

void Session::Handle() {
  auto& req = parser_->get();
  bool head = req.method() == bhttp::verb::head;
  unsigned version = req.version();
  bool keep_alive = req.keep_alive() && !worker_.stopping();
  size_t body_size = req.body().size();
  Response out;
  std::string method, path;
  Request r;
  try {
    r.method = std::string(req.method_string());
    r.target = OriginForm(req.target());
    if (auto q = r.target.find('?'); q == std::string::npos) {
      r.path = r.target;
    } else {
      r.path = r.target.substr(0, q);
      r.query = r.target.substr(q + 1);
    }
    r.headers.reserve(8);
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    r.body = std::move(req.body());
    r.remote_address = remote_address_;
    r.local_address = local_address_;
    parser_.reset();
    method = r.method;
    path = r.path;
    out = worker_.handler()(r);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchbay: 500 for %s %s: %s\n", method.c_str(), path.c_str(), e.what());
    out = Response{500, {{"Content-Type", "text/html"}}, "<h1>Server Error (500)</h1>", {}};
  }
  parser_.reset();
  ReleaseBodyReservation();
  if (body_size >= kReleaseAfterBodyBytes) ReleaseFreeMemory();
  Answer(std::move(out), r, method, path, version, keep_alive, head);
}

void Session::Answer(Response out, Request& req, const std::string& method,
                     const std::string& path, unsigned version, bool keep_alive, bool head) {
  if (out.defer) {
    return Defer(std::move(out.defer), req, version, keep_alive, head);
  }
  if (out.offload) return Offload(std::move(out), method, path, version, keep_alive, head);
  Finish(std::move(out), method, path, version, keep_alive, head);
}

void Session::Defer(std::function<Response(const Request&)> then, Request& req,
                    unsigned version, bool keep_alive, bool head) {
  // Nothing is read from this connection meanwhile (a pipelined request
  // stays in buffer_ until this answer is written), as for Offload.
  SetPhase(Phase::kWrite);
  // The request goes along by pointer: the handler is moved a few times on
  // its way through the queue, and a lone request must not pay for moving
  // its strings each time.
  asio::post(socket_.get_executor(), [self = shared_from_this(), then = std::move(then),
                                      req = std::make_unique<Request>(std::move(req)), version,
                                      keep_alive, head]() mutable {
    Response r;
    try {
      r = then(*req);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "patchbay: 500 for %s %s: %s\n", req->method.c_str(), req->path.c_str(),
                   e.what());
      r = Response{500, {{"Content-Type", "text/html"}}, "<h1>Server Error (500)</h1>", {}};
    }
    self->Answer(std::move(r), *req, req->method, req->path, version, keep_alive, head);
  });
}

void Session::Offload(Response out, const std::string& method, const std::string& path,
                      unsigned version, bool keep_alive, bool head) {
  // The write limit of the sweep covers the wait: a stuck job closes the
  // connection, not the thread.
  SetPhase(Phase::kWrite);
  auto work = std::move(out.offload);
  auto guard = asio::make_work_guard(socket_.get_executor());
  auto self = shared_from_this();
  bool queued = limits_.side.Submit([self, work = std::move(work), guard, method, path, version,
                                     keep_alive, head]() mutable {
    std::function<Response()> then;
    std::string error;
    try {
      then = work();
    } catch (const std::exception& e) {
      error = e.what();
    }
    asio::post(guard.get_executor(), [self, then = std::move(then), error, method, path, version,
                                      keep_alive, head]() {
      Response r;
      try {
        if (!then) throw std::runtime_error(error.empty() ? "offloaded job failed" : error);
        r = then();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "patchbay: 500 for %s %s: %s\n", method.c_str(), path.c_str(), e.what());
        r = Response{500, {{"Content-Type", "text/html"}}, "<h1>Server Error (500)</h1>", {}};
      }
      r.offload = nullptr;
      self->Finish(std::move(r), method, path, version, keep_alive, head);
    });
  });
  if (!queued) {
    Response busy{503, {{"Content-Type", "text/plain; charset=utf-8"}, {"Retry-After", "1"}},
                  "Busy; try again in a moment.\n", {}};
    Finish(std::move(busy), method, path, version, keep_alive, head);
  }
}

void Session::Finish(Response out, const std::string& method, const std::string& path,
                     unsigned version, bool keep_alive, bool head) {
  for (const auto& [name, value] : out.headers) {
    if (!SafeHeaderValue(name) || !SafeHeaderValue(value)) {
      std::fprintf(stderr, "patchbay: 500 for %s %s: unsafe %s header (%zu bytes)\n",
                   method.c_str(), path.c_str(), name.substr(0, 64).c_str(), value.size());
      out = Response{500, {{"Content-Type", "text/html"}}, "<h1>Server Error (500)</h1>", {}};
      break;
    }
  }
  if (out.stream && out.status == 200 && !head) {
    if (!limits_.ReserveStream()) {
      out = Response{503, {{"Content-Type", "text/plain; charset=utf-8"}, {"Retry-After", "5"}},
                     "Too many event streams; retry shortly.\n", {}, {}};
    } else {
      std::string head_bytes = version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
      head_bytes += "200 OK\r\n";
      for (const auto& [name, value] : out.headers) {
        head_bytes += name;
        head_bytes += ": ";
        head_bytes += value;
        head_bytes += "\r\n";
      }
      head_bytes += "Connection: close\r\n\r\n";
      return StartStream(std::move(out.stream), std::move(head_bytes));
    }
  }
  try {
    Respond(out, version, keep_alive, head);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchbay: 500 for %s %s: %s\n", method.c_str(), path.c_str(), e.what());
    Response error{500, {{"Content-Type", "text/html"}}, "<h1>Server Error (500)</h1>", {}};
    Respond(error, version, keep_alive, head);
  }
  Write(!keep_alive);
}

void Session::Respond(Response& out, unsigned version, bool keep_alive, bool head) {
  shared_body_.reset();
  if (out.shared_body) {
    shared_res_ = {};
    shared_res_.version(version);
    shared_res_.result(static_cast<unsigned>(out.status));
    for (const auto& [name, value] : out.headers) shared_res_.insert(name, value);
    shared_res_.content_length(out.shared_body->size());
    shared_res_.keep_alive(keep_alive);
    // Beast reads the buffer and never writes through the pointer.
    shared_res_.body().data = head ? nullptr : const_cast<char*>(out.shared_body->data());
    shared_res_.body().size = head ? 0 : out.shared_body->size();
    shared_res_.body().more = false;
    shared_body_ = std::move(out.shared_body);
    return;
  }
  res_ = {};
  res_.version(version);
  res_.result(static_cast<unsigned>(out.status));
  for (const auto& [name, value] : out.headers) res_.insert(name, value);
  res_.content_length(out.body.size());
  res_.keep_alive(keep_alive);
  // HEAD: the GET headers, Content-Length included, and no body.
  if (!head) res_.body() = std::move(out.body);
}

void Session::Write(bool close) {
  SetPhase(Phase::kWrite);
  if (shared_body_) {
    bhttp::async_write(socket_, shared_res_,
                       [self = shared_from_this(), close](boost::system::error_code ec, size_t) {
                         self->shared_body_.reset();
                         self->OnWrite(ec, close);
                       });
    return;
  }
  bhttp::async_write(socket_, res_,
                     [self = shared_from_this(), close](boost::system::error_code ec, size_t) {
                       self->OnWrite(ec, close);
                     });
}

void Session::OnWrite(boost::system::error_code ec, bool close) {
  if (ec) return Close();
  if (!close) return ReadHeader();
  // Half-close and read what the client still sends, so that unread request
  // bytes don't turn our close into a reset that discards the response.
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  SetPhase(Phase::kDrain);
  Drain();
}

void Session::Drain() {
  socket_.async_read_some(asio::buffer(drain_buf_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
}

bool StreamConnection::Send(std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (!attached_) return false;
  if (pending_.empty() && !writing_) {
    // Nothing ahead of these bytes: write them now, from this thread. Handing
    // them to the worker cost a wake-up, a post and an asio write per stream,
    // and made an event wait for two more threads to be scheduled.
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(bytes.size())) return true;
    // A full socket buffer queues the rest; an error too, and the worker's
    // write then meets it and closes the connection.
    if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
  }
  if (pending_.size() + writing_ + bytes.size() > limit_) {
    // Too slow a reader: drop it rather than buffer without end.
    attached_ = false;
    PostLocked(&Session::Close);
    return false;
  }
  pending_ += bytes;
  if (!flush_posted_ && !writing_) {
    flush_posted_ = true;
    flushes_->Add(session_);
  }
  return true;
}

void StreamFlushQueue::Drain() {
  const int64_t began = trace::On() ? trace::WallNs() : 0;
  {
    std::lock_guard lock(mu_);
    draining_.swap(ready_);
    posted_ = false;
  }
  for (auto& weak : draining_) {
    if (auto s = weak.lock()) s->FlushStream();
  }
  if (began) {
    // Stage times for bench/sse_bench.py: this worker's writes of a round.
    trace::Note("drain " + std::to_string(began) + " " + std::to_string(trace::WallNs()) + " " +
                std::to_string(draining_.size()));
  }
  draining_.clear();
}

void StreamConnection::Close() {
  std::lock_guard lock(mu_);
  if (!attached_) return;
  PostLocked(&Session::EndStream);
}

void StreamConnection::PostLocked(void (Session::*what)()) {
  asio::post(ex_, [weak = session_, what] {
    if (auto s = weak.lock()) ((*s).*what)();
  });
}

void Session::StartStream(std::function<void(std::shared_ptr<StreamSink>)> attach,
                          std::string head) {
  worker_.BecameStream();
  stream_ = std::make_shared<StreamConnection>(socket_.get_executor(), worker_.stream_flushes(),
                                               weak_from_this(), socket_.native_handle(),
                                               limits_.stream_buffer_bytes);
  // Nothing of the request is needed any more.
  res_ = {};
  buffer_.clear();
  buffer_.shrink_to_fit();
  SetPhase(Phase::kStream);
  stream_->Prime(std::move(head));
  FlushStream();
  WatchStreamClient();
  try {
    attach(stream_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchbay: stream not started: %s\n", e.what());
    Close();
  }
  if (worker_.stopping()) EndStream();
}

// Reads (and ignores) what the client sends, to see at once when it leaves.
void Session::WatchStreamClient() {
  socket_.async_read_some(asio::buffer(drain_buf_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->WatchStreamClient();
                          });
}

void Session::FlushStream() {
  if (!stream_ || stream_writing_) return;
  stream_out_.clear();
  stream_->Take(stream_out_);
  if (stream_out_.empty()) {
    if (stream_ending_) {
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
      Close();
    }
    return;
  }
  stream_writing_ = true;
  since_ = Clock::now();
  asio::async_write(socket_, asio::buffer(stream_out_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->stream_writing_ = false;
                      self->stream_->Written();
                      if (ec) return self->Close();
                      self->FlushStream();
                    });
}

void Session::EndStream() {
  if (!stream_) return;
  stream_->Detach();
  stream_ending_ = true;
  FlushStream();
}

// Raises the soft open-file limit to the hard one and keeps, below it, room
// for the listening sockets, the database files of each thread and the
// process's own files, so accept() never meets EMFILE in normal operation.
size_t DefaultMaxConnections(int threads) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1000;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 65536 : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  size_t reserve = 64 + 8 * static_cast<size_t>(threads);
  size_t limit = rl.rlim_cur == RLIM_INFINITY ? 65536 : static_cast<size_t>(rl.rlim_cur);
  return limit > reserve + 16 ? limit - reserve : 16;
}

}  // namespace

Status Serve(const ServerOptions& options, const Handler& handler,
             const std::function<void(uint16_t port)>& on_ready) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Status::Invalid("bad listen address '" + options.address + "'");
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  SharedLimits limits(std::max(1, options.side_threads), options.side_max_queued);
  size_t budget = DefaultMaxConnections(threads);
  size_t max_streams = options.max_streams ? options.max_streams : std::max<size_t>(1, budget / 2);
  size_t max_connections = options.max_connections ? options.max_connections
                           : options.max_streams ? std::max<size_t>(16, budget > max_streams ? budget - max_streams : 0)
                                                 : std::max<size_t>(16, budget - budget / 2);
  limits.max_streams = max_streams;
  limits.stream_buffer_bytes = std::max<size_t>(4096, options.stream_buffer_bytes);
  limits.max_connections_per_worker =
      std::max<size_t>(1, max_connections / static_cast<size_t>(threads));
  limits.max_body_in_flight = options.max_body_bytes_in_flight;

  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = options.port;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(options, handler, limits));
    // Port 0: the first acceptor picks a free port, the others share it.
    Status st = workers.back()->Listen(tcp::endpoint(address, port));
    if (!st.ok()) return st;
    port = workers.back()->port();
  }

  asio::io_context main_ioc(1);
  asio::signal_set signals(main_ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    for (auto& w : workers) w->RequestStop();
  });

  std::vector<std::thread> pool;
  pool.reserve(workers.size());
  for (auto& w : workers) pool.emplace_back([&w] { w->Run(); });
  if (on_ready) on_ready(port);

  main_ioc.run();
  for (auto& t : pool) t.join();
  return Status::Ok();
}

}  // namespace pb::http
