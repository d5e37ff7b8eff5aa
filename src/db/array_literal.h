// PostgreSQL array literals ({1,NULL,3}, {"a","b"}) bound as one text
// parameter to the unnest statements that write or look up a batch's rows
// in one statement (events, held-mail references, a batch's look-ups).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/records.h"

namespace pb::db {

// Appends one element to `out`, an array literal opened with "{".
inline void AppendId(std::string& out, const std::optional<Id>& v) {
  out += out.size() == 1 ? "" : ",";
  out += v ? std::to_string(*v) : "NULL";
}

inline void AppendText(std::string& out, std::string_view v) {
  out += out.size() == 1 ? "\"" : ",\"";
  for (char ch : v) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}

// {1,2,3}: `ids` as one PostgreSQL bigint[] literal.
inline std::string IdArray(const std::vector<Id>& ids) {
  std::string out = "{";
  for (Id id : ids) AppendId(out, id);
  out += '}';
  return out;
}

// {"a","b"}: `texts` as one PostgreSQL text[] literal.
inline std::string TextArray(const std::vector<std::string>& texts) {
  std::string out = "{";
  for (const auto& t : texts) AppendText(out, t);
  out += '}';
  return out;
}

}  // namespace pb::db
