// The dicts upstream's XML-RPC methods return (spec §5), member for member
// and in upstream's order. Fields upstream encodes to bytes before
// marshalling go out as <base64>, as pwclient expects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/rpc_store.h"
#include "xmlrpc/value.h"

namespace pb::xmlrpc {

Value ProjectDict(const db::RpcProject& p);
Value PersonDict(const db::RpcPerson& p);
Value StateDict(const db::RpcState& s);
Value PatchDict(const db::RpcPatch& p);
Value CheckDict(const db::RpcCheck& c);
// The combined check summary: latest check per (user, context) only.
Value PatchCheckDict(const std::vector<db::RpcCheck>& all_checks);

// Check state labels by stored value, and back (-1 when unknown).
std::string_view CheckStateName(int state);
int CheckStateValue(std::string_view label);

// Spec §1.3: the submission name with runs of characters outside
// [-_A-Za-z0-9.] turned into '-', and '-' trimmed from both ends.
std::string Filename(std::string_view name);

template <typename Row>
Value ListOf(const std::vector<Row>& rows, Value (*dict)(const Row&)) {
  Value out = Value::Array();
  out.items.reserve(rows.size());
  for (const auto& r : rows) out.items.push_back(dict(r));
  return out;
}

}  // namespace pb::xmlrpc
