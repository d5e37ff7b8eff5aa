// Pages whose POST needs a slow password hash (PBKDF2, ~110 ms): the hash
// runs on the server's side pool (http::Response::offload) so the serving
// thread goes on serving its other connections meanwhile.
#pragma once

#include <functional>

#include "db/connection.h"
#include "http/server.h"
#include "web/visitor.h"

namespace pb::web {

// Runs `slow` on the side pool: CPU work only, no database and nothing of
// this thread's. Then runs `then` back on the request's serving thread, with
// `c`, a Visitor made again from a copy of the request and that copy, and
// adds that Visitor's cookies to its response.
http::Response OffloadThen(db::Connection& c, const http::Request& req, std::function<void()> slow,
                           std::function<http::Response(Visitor&, const http::Request&)> then);

}  // namespace pb::web
