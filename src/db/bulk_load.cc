#include "db/bulk_load.h"

#include "db/sqlite/small_block_heap.h"

namespace pb::db {

void SetBulkLoad(Connection& c, bool on) {
  if (c.dialect() == Dialect::kPostgres) {
    // By default a prepared statement is planned for its parameters five
    // times before its generic plan is considered, and after an ANALYZE
    // between batches (RefreshStatistics) invalidates the plans, the
    // generic plan's new estimate may lose against the custom plans'
    // average, and then every call is planned: an archive's statements are
    // look-ups by id or message id and inserts, whose plan does not depend
    // on the values, so those custom plans only cost planning (6 % of the
    // ingest backend's instructions over 1,000 mails, docs/performance.md
    // §9o). The generic plan is still made again after each ANALYZE, so it
    // follows the tables' growth.
    c.ExecScript(on ? "SET plan_cache_mode = force_generic_plan" : "RESET plan_cache_mode");
    return;
  }
  if (c.dialect() != Dialect::kSqlite) return;
  if (on) {
    // 2,000 pages (8 MB), not the 16,384 (64 MB) of round 6: a WAL that a
    // checkpoint empties every few batches is written again from its start,
    // over page-cache pages that are already there, and writing into fresh
    // page-cache pages is what made pwrite() slow on this kind of VM
    // (copy_folio_from_iter_atomic: up to a third of parsearchive's CPU).
    // For the 5,000-mail archive the WAL stays at 12.6 MB instead of 58 MB;
    // the checkpoints copy 52.8 MB instead of 48.5 MB (pages that several
    // batches rewrite are copied once per checkpoint) and sync 6 times, not
    // once. docs/performance.md, "parsearchive, round 7".
    c.ExecScript("PRAGMA wal_autocheckpoint=2000");
    c.GatherWrites(true);
    return;
  }
  // The checkpoint's page copies are gathered too; it syncs the database,
  // which writes out what was gathered, before it counts them as copied.
  c.ExecScript("PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(PASSIVE)");
  c.GatherWrites(false);
}

bool PrepareProcessForBulkLoad() { return UseSqliteSmallBlockHeap(); }

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

std::optional<int64_t> OtherWritersVersion(Connection& c) { return QueryInt(c, "PRAGMA data_version"); }

}  // namespace pb::db
