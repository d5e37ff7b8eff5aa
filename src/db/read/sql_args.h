// Dynamic WHERE clauses with numbered placeholders. The Query wrapper binds a
// fixed argument list; filters are only known at run time, so they collect
// their arguments here and bind them in order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "db/connection.h"

namespace pb::db::read {

class SqlArgs {
 public:
  // Appends a value; returns its placeholder text ("?3").
  std::string Add(int64_t v) { args_.emplace_back(v); return Next(); }
  std::string Add(std::string v) { args_.emplace_back(std::move(v)); return Next(); }
  size_t size() const { return args_.size(); }

  void BindAll(Statement& st) const {
    int i = 1;
    for (const auto& a : args_) {
      if (const auto* n = std::get_if<int64_t>(&a)) st.BindInt(i++, *n);
      else st.BindText(i++, std::get<std::string>(a));
    }
  }
  // A stable text form, used as a cache key together with the SQL.
  std::string Key() const {
    std::string k;
    for (const auto& a : args_) {
      if (const auto* n = std::get_if<int64_t>(&a)) {
        k += 'i';
        k += std::to_string(*n);
      } else {
        const auto& s = std::get<std::string>(a);
        k += 's';
        k += std::to_string(s.size());
        k += ':';
        k += s;
      }
      k += '|';
    }
    return k;
  }

 private:
  std::string Next() const {
    std::string s(1, '?');
    s += std::to_string(args_.size());
    return s;
  }
  std::vector<std::variant<int64_t, std::string>> args_;
};

// "IN (...)" lists for batched loads. The list is padded (by repeating the
// last id) to a power of two so that a connection caches at most a handful
// of statement texts per query instead of one per page size.
inline std::string InPlaceholders(SqlArgs& args, const std::vector<int64_t>& ids) {
  size_t n = 1;
  while (n < ids.size()) n *= 2;
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += args.Add(ids.empty() ? int64_t{0} : ids[std::min(i, ids.size() - 1)]);
  }
  s += ')';
  return s;
}

// A cached statement bound to dynamic arguments, reset when it goes out of
// scope (the Query wrapper's contract for statements built at run time).
class DynQuery {
 public:
  DynQuery(Connection& c, const std::string& sql, const SqlArgs& args) : st_(c.Prepare(sql)) {
    args.BindAll(st_);
  }
  ~DynQuery() { st_.Reset(); }
  DynQuery(const DynQuery&) = delete;
  DynQuery& operator=(const DynQuery&) = delete;
  Statement& st() { return st_; }

 private:
  Statement& st_;
};

}  // namespace pb::db::read
