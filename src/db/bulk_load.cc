#include "db/bulk_load.h"

namespace pb::db {

void SetBulkLoad(Connection& c, bool on) {
  if (c.dialect() != Dialect::kSqlite) return;
  c.ExecScript(on ? "PRAGMA wal_autocheckpoint=16384"
                  : "PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(PASSIVE)");
}

std::optional<int64_t> RowsChanged(Connection& c) {
  if (c.dialect() != Dialect::kSqlite) return c.WritesCounted();
  return QueryInt(c, "SELECT total_changes()");
}

}  // namespace pb::db
