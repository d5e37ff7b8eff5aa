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

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // in emission order
  std::string body;
  // Slow CPU work (a password check): when set, the server runs it on its
  // side pool, then runs the function it returns back on the connection's
  // own thread (where the handler's per-thread state lives) and sends that
  // response instead of this one. Meanwhile the serving thread serves its
  // other connections. A full side pool answers 503.
  std::function<std::function<Response()>()> offload;
  // When set, sent as the body instead of `body`, without a copy: a cached
  // response (a series mbox is 100 KB) is shared by the requests it serves.
  std::shared_ptr<const std::string> shared_body;
};

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
