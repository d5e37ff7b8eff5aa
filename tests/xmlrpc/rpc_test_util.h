// Helpers for the XML-RPC tests: building calls, reading responses back, and
// a small seeded database.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/connection.h"
#include "xmlrpc/marshal.h"
#include "xmlrpc/request.h"
#include "xmlrpc/value.h"
#include "xmlrpc/xmlrpc.h"

namespace pb::xmlrpc::testing {

// A response read back: either a fault string or the one result value.
struct Reply {
  bool fault = false;
  std::string fault_string;
  Value value;
};

// Reuses the request parser by renaming the response's envelope.
inline Reply ReadReply(std::string doc) {
  auto replace = [&](std::string_view from, std::string_view to) {
    size_t at = doc.find(from);
    if (at != std::string::npos) doc.replace(at, from.size(), to);
  };
  Reply r;
  if (doc.find("<fault>") != std::string::npos) {
    r.fault = true;
    replace("<fault>", "<params><param>");
    replace("</fault>", "</param></params>");
  }
  replace("<methodResponse>", "<methodCall>");
  replace("</methodResponse>", "</methodCall>");
  Call c = ParseCall(doc);
  EXPECT_EQ(c.params.size(), 1u);
  if (c.params.empty()) return r;
  r.value = c.params[0];
  if (r.fault) {
    const Value* code = r.value.Find("faultCode");
    const Value* str = r.value.Find("faultString");
    EXPECT_TRUE(code && code->i == 1);
    if (str) r.fault_string = str->s;
  }
  return r;
}

inline Reply Invoke(db::Connection& conn, std::string_view method, std::vector<Value> params = {},
                  std::string_view auth = "") {
  return ReadReply(HandleCall(conn, DumpCall(method, params), auth));
}

inline Value Str(std::string s) { return Value::String(std::move(s)); }
inline Value Int(int64_t n) { return Value::Int(n); }

inline Value StructOf(std::vector<std::pair<std::string, Value>> members) {
  Value v = Value::Struct();
  for (auto& [k, x] : members) v.Add(k, std::move(x));
  return v;
}

inline std::string Field(const Value& dict, std::string_view key) {
  const Value* v = dict.Find(key);
  return v ? v->s : "<missing>";
}
inline int64_t IntField(const Value& dict, std::string_view key) {
  const Value* v = dict.Find(key);
  return v ? v->i : -999;
}

// ids of a list of dicts, in order.
inline std::vector<int64_t> Ids(const Value& list) {
  std::vector<int64_t> out;
  for (const auto& d : list.items) out.push_back(IntField(d, "id"));
  return out;
}

}  // namespace pb::xmlrpc::testing
