// INSERT returning the new row's id, cheaply on SQLite.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/connection.h"

namespace pb::db {

// Runs `insert_sql` (an INSERT without RETURNING) and returns the new row's
// id, or nullopt when it inserted nothing (ON CONFLICT DO NOTHING). SQLite
// answers RETURNING through an ephemeral table and a statement journal for
// every row, about a sixth of `parsearchive`'s storing work; its
// last_insert_rowid() gives the same id without them (the connection is
// used by one thread at a time). Other backends get "RETURNING id" appended.
template <typename... Args>
std::optional<int64_t> InsertReturningId(Connection& c, std::string_view insert_sql,
                                         const Args&... args) {
  if (c.dialect() == Dialect::kSqlite) {
    // `args` outlive the statement's run: texts are bound without a copy.
    if (Query(c, TextsOutliveQuery{}, insert_sql, args...).Run() == 0) return std::nullopt;
    return QueryInt(c, "SELECT last_insert_rowid()");
  }
  std::string sql(insert_sql);
  sql += " RETURNING id";
  return QueryInt(c, sql, args...);
}

}  // namespace pb::db
