#include "xmlrpc/value.h"

namespace pb::xmlrpc {

Value& Value::Add(std::string key, Value v) {
  for (auto& [k, old] : members) {
    if (k == key) {
      old = std::move(v);
      return *this;
    }
  }
  members.emplace_back(std::move(key), std::move(v));
  return *this;
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace pb::xmlrpc
