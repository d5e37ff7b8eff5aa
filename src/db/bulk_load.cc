#include "db/bulk_load.h"

namespace pb::db {

std::optional<int64_t> RowsChanged(Connection& c) {
  if (c.dialect() != Dialect::kSqlite) return std::nullopt;
  return QueryInt(c, "SELECT total_changes()");
}

}  // namespace pb::db
