// The HTTP server. Beast is confined to server.cc; the rest of the program
// sees plain Request/Response values and a handler function.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pb::http {

struct Request {
  std::string method;   // "GET", ...
  std::string target;   // raw request target, "/api/patches/?page=2"
  std::string path;     // target before '?', not percent-decoded
  std::string query;    // target after '?', "" when none
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  std::string local_address;  // "127.0.0.1:8000": the origin when there is no Host header

  // First header with that (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
};

// The server's end of a streamed response (Server-Sent Events). Thread-safe:
// a producer on any thread sends bytes; they go to the socket at once from
// the producer's thread when nothing is ahead of them (never blocking), and
// the rest is queued for the connection's own thread to write. The sink
// holds no reference to the connection, so a producer may keep it after the
// client left: Send then says so.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Writes or queues bytes for the client. False when the stream is over: the client
  // left, the server is stopping, or the bytes would pass the stream's
  // buffer limit (a client that reads too slowly is dropped, so it cannot
  // grow the server's memory). The producer should then forget the sink.
  virtual bool Send(std::string_view bytes) = 0;
  // Bytes queued or being written, not yet taken by the socket.
  virtual size_t queued() const = 0;
  // Ends the stream once what is queued has been written.
  virtual void Close() = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // in emission order
  std::string body;
  // Slow CPU work (a password check): when set, the server runs it on its
  // side pool, then runs the function it returns back on the connection's
  // own thread (where the handler's per-thread state lives) and sends that
  // response instead of this one. Meanwhile the serving thread serves its
  // other connections. A full side pool answers 503.
  std::function<std::function<Response()>()> offload = nullptr;
  // Work that should wait for this thread's other ready connections: the
  // server posts it to the connection's own thread, behind the completions
  // its event loop already holds (the requests that arrived with this one),
  // then calls it with the request and sends the response it returns
  // instead of this one (which may itself be offloaded or deferred). The
  // handlers of requests that arrive together thus all run before any
  // deferred function, which can serve them together (one database
  // statement for several patch details: db/read/detail_batch.h).
  std::function<Response(const Request&)> defer = nullptr;
  // Set for a stream instead of a body: the server sends the status and
  // headers (no Content-Length: the stream ends when the connection
  // closes), then calls this once, on the connection's thread, with the
  // sink. Stream connections have their own cap (ServerOptions::max_streams)
  // and no longer count against max_connections; at the cap the client
  // gets 503. HEAD gets the headers only.
  std::function<void(std::shared_ptr<StreamSink>)> stream = nullptr;
  // When set, sent as the body instead of `body`, without a copy: a cached
  // response (a series mbox is 100 KB) is shared by the requests it serves.
  std::shared_ptr<const std::string> shared_body = nullptr;
};

// Applies `finish` to `r` and, when `r` is offloaded or deferred, to the
// response its job answers with, which the server sends instead: what a
// handler wrapper adds to a response (a header, a cookie flag) must reach
// the one sent.
void FinishResponse(Response& r, const std::function<void(Response&)>& finish);

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8000;
  int threads = 0;                       // 0 = one per core
  size_t max_body_bytes = 16 << 20;
  size_t max_header_bytes = 64 << 10;
  // Open connections, split evenly between the threads; 0 = derived from the open-file
  // limit (raised to its hard maximum at start), leaving room for the
  // database's descriptors. At the cap, idle keep-alive connections are
  // closed to make room; with none idle, new connections get 503.
  size_t max_connections = 0;
  // Request bodies held at once across all connections. A request whose
  // declared body would pass it gets 503 and Retry-After. Chunked bodies
  // count as max_body_bytes until read.
  size_t max_body_bytes_in_flight = 256 << 20;
  // Streamed responses held at once (across threads); 0 = half of the
  // open-file budget (and max_connections, when 0 too, is the other half).
  size_t max_streams = 0;
  // Bytes a stream may have queued for a client that doesn't read; past
  // it the client is disconnected (it resumes later with Last-Event-ID).
  size_t stream_buffer_bytes = 1 << 20;
  // Called once per worker thread before it serves (e.g. to open a DB connection).
  std::function<void()> on_thread_start;
  int side_threads = 1;        // for Response::offload
  size_t side_max_queued = 64;
};

// Serves until SIGINT/SIGTERM, then stops accepting, finishes in-flight
// requests and returns. `on_ready` is called once listening (with the port).
Status Serve(const ServerOptions& options, const Handler& handler,
             const std::function<void(uint16_t port)>& on_ready = {});

}  // namespace pb::http
