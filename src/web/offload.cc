#include "web/offload.h"

#include <memory>

namespace pb::web {

http::Response OffloadThen(db::Connection& c, const http::Request& req, std::function<void()> slow,
                           std::function<http::Response(Visitor&, const http::Request&)> then) {
  // The request outlives this call: the continuation's Visitor reads it.
  auto request = std::make_shared<http::Request>(req);
  http::Response pending;
  pending.offload = [&c, request, slow = std::move(slow),
                     then = std::move(then)]() mutable -> std::function<http::Response()> {
    slow();
    return [&c, request, then = std::move(then)] {
      Visitor v(c, *request);
      http::Response r = then(v, *request);
      v.AddCookies(r);
      return r;
    };
  };
  return pending;
}

}  // namespace pb::web
