// The method table of spec §5: names, arguments, which need a login, and
// the dispatch upstream does (unknown method, then login, then arguments).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "xmlrpc/value.h"

namespace pb::xmlrpc {

// Runs one call; throws PyError for every failure upstream reports as a fault.
Value Dispatch(db::Connection& conn, std::string_view method, const std::vector<Value>& params,
               std::string_view authorization);

struct MethodDoc {
  std::string_view name;
  std::string signature;  // "(search_str=None, max_count=0)"
  bool auth;
  std::string_view summary;
};
// For the documentation page, in name order.
std::vector<MethodDoc> MethodDocs();

}  // namespace pb::xmlrpc
