// The filter structs of patch_list and check_list (spec §5): keys "field" or
// "field__lookup", values typed the way Django would coerce them. Anything
// upstream answers with [] (an unknown field or lookup, an unknown project,
// person or state) sets `nothing`; anything upstream fails on throws PyError.
#pragma once

#include <vector>

#include "db/connection.h"
#include "db/rpc_store.h"
#include "xmlrpc/value.h"

namespace pb::xmlrpc {

struct Filter {
  bool nothing = false;  // the answer is [] without querying
  std::vector<db::RpcCondition> where;
  Value max_count = Value::Int(0);
};

Filter PatchFilter(db::Connection& conn, const Value& filt);
Filter CheckFilter(db::Connection& conn, const Value& filt);

}  // namespace pb::xmlrpc
