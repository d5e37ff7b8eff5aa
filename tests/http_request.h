// Requests as the server hands them to a handler, for tests that call the
// handlers directly: the target split into path and query, a Host header.
#pragma once

#include <string>

#include "http/server.h"

namespace pb::testing {

inline http::Request TestRequest(const std::string& method, const std::string& target,
                                 const std::string& host = "h:1") {
  http::Request r;
  r.method = method;
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.headers.emplace_back("host", host);
  return r;
}

}  // namespace pb::testing
