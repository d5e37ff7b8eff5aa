#include "db/bulk_load.h"

namespace pb::db {

void SetBulkLoad(Connection& c, bool on) {
  if (c.dialect() != Dialect::kSqlite) return;
  if (on) {
    c.ExecScript("PRAGMA wal_autocheckpoint=16384");
    c.GatherWrites(true);
    return;
  }
  // The checkpoint's page copies are gathered too; it syncs the database,
  // which writes out what was gathered, before it counts them as copied.
  c.ExecScript("PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(PASSIVE)");
  c.GatherWrites(false);
}

void RefreshStatistics(Connection& c) {
  if (c.dialect() != Dialect::kPostgres) return;
  // reltuples is -1 before the first ANALYZE; n_mod_since_analyze is the
  // statistics system's count, flushed at most once a second by each
  // backend, which is close enough for a doubling.
  std::string tables;
  {
    Query q(c,
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class k ON k.oid = s.relid "
            "WHERE s.schemaname = current_schema() AND s.relname IN ('patches', 'covers', "
            "'patch_comments', 'cover_comments', 'series', 'series_references', 'people', "
            "'held_mails', 'held_mail_refs', 'comment_refs') "
            "AND s.n_mod_since_analyze >= GREATEST(k.reltuples, 100) ORDER BY s.relname");
    while (q.Next()) tables += (tables.empty() ? "" : ", ") + q.Str(0);
  }
  if (tables.empty()) return;
  // ANALYZE stores sample values of the mail texts in pg_statistic, whose
  // columns compress with the server's default, pglz: 2.3 % of an
  // ingest's server instructions (docs/performance.md §9m). lz4, as the
  // texts themselves (migration 16), for these writes only; a server
  // without lz4 keeps pglz.
  bool lz4 = true;
  try {
    c.ExecScript("SET default_toast_compression = 'lz4'");
  } catch (const DbError&) {
    lz4 = false;
  }
  c.ExecScript("ANALYZE " + tables);
  if (lz4) c.ExecScript("RESET default_toast_compression");
}

std::optional<int64_t> RowsChanged(Connection& c) {
  if (c.dialect() != Dialect::kSqlite) return c.WritesCounted();
  return QueryInt(c, "SELECT total_changes()");
}

}  // namespace pb::db
