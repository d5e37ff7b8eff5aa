// The XML-RPC data model: what a request's <value>s unmarshal to and what a
// response is built from. Structs keep insertion order because upstream's
// responses are Python dicts and the byte order of their members is part of
// what clients see.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::xmlrpc {

struct Value {
  enum class Kind : uint8_t { kNil, kBool, kInt, kDouble, kString, kBytes, kDateTime, kArray, kStruct };

  Kind kind = Kind::kNil;
  int64_t i = 0;   // kInt, kBool (0/1)
  double d = 0;    // kDouble
  std::string s;   // kString (UTF-8), kBytes (raw), kDateTime (the wire text)
  std::vector<Value> items;                            // kArray
  std::vector<std::pair<std::string, Value>> members;  // kStruct

  static Value Nil() { return {}; }
  static Value Bool(bool b) { Value v; v.kind = Kind::kBool; v.i = b; return v; }
  static Value Int(int64_t n) { Value v; v.kind = Kind::kInt; v.i = n; return v; }
  static Value Double(double x) { Value v; v.kind = Kind::kDouble; v.d = x; return v; }
  static Value String(std::string str) { Value v; v.kind = Kind::kString; v.s = std::move(str); return v; }
  // Upstream sends some text fields as Python bytes, which marshal as <base64>.
  static Value Bytes(std::string raw) { Value v; v.kind = Kind::kBytes; v.s = std::move(raw); return v; }
  static Value DateTime(std::string text) { Value v; v.kind = Kind::kDateTime; v.s = std::move(text); return v; }
  static Value Array(std::vector<Value> xs = {}) { Value v; v.kind = Kind::kArray; v.items = std::move(xs); return v; }
  static Value Struct() { Value v; v.kind = Kind::kStruct; return v; }

  bool is(Kind k) const { return kind == k; }

  // Struct building and lookup. Add keeps Python dict semantics: a repeated
  // key replaces the value in place.
  Value& Add(std::string key, Value v);
  const Value* Find(std::string_view key) const;
};

}  // namespace pb::xmlrpc
