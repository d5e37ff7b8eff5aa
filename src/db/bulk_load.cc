#include "db/bulk_load.h"

#include "db/sqlite/page_cache_slots.h"
#include "db/sqlite/small_block_heap.h"
#include "db/sqlite/sqlite_connection.h"

#include <string>
#include <string_view>

namespace pb::db {

namespace {

std::string JournalMode(Connection& c, std::string_view pragma = "PRAGMA journal_mode") {
  Query q(c, pragma);
  return q.Next() ? q.Str(0) : std::string();
}

// A bulk load into a SQLite database that no other connection has open runs
// in rollback-journal mode. In WAL mode every page is written twice (to the
// WAL, then by a checkpoint that first reads it back from the WAL: 12,627
// single-page reads for the 5,000-mail archive); with a rollback journal a
// page the transaction appends past the file's end is written once, into
// the database, and only the pages it changes inside the old end are copied
// to the journal first (docs/performance.md, "parsearchive, round 10").
// Crash safety is SQLite's either way: a killed import leaves a hot journal,
// and the next connection to open the database rolls the open batch back.
//
// SQLite refuses to leave WAL mode while another connection has the
// database open (it cannot take the exclusive lock; the answer is then an
// error, at once, not after the busy timeout), so a running `serve`,
// `parsemail` or second import keeps WAL and its readers keep reading
// during the import's transactions. A connection that opens the database
// during the import switches it back to WAL when it gets the write lock
// (every read-write connection asks for WAL as it opens), and this
// connection then follows into WAL mode at its next transaction.
//
// PERSIST: the journal file is kept between transactions, its header
// zeroed, so each batch writes it over page-cache pages that are already
// there instead of creating, syncing the directory for and deleting it.
bool UseRollbackJournal(Connection& c) {
  try {
    return JournalMode(c, "PRAGMA journal_mode=PERSIST") == "persist";
  } catch (const DbError&) {
    return false;  // "database is locked": someone else has it open
  }
}

// Back to WAL, as every other connection expects to find the database. The
// journal goes first (DELETE removes the file PERSIST kept). WAL takes the
// write lock and may wait for a reader that opened meanwhile in rollback
// mode; should that fail, the database stays in rollback mode, which is
// valid, until the next read-write connection opens it and asks for WAL.
void ReturnToWal(Connection& c) {
  try {
    JournalMode(c, "PRAGMA journal_mode=DELETE");
    JournalMode(c, "PRAGMA journal_mode=WAL");
  } catch (const DbError&) {
  }
}

}  // namespace

void SetBulkLoad(Connection& c, bool on) {
  if (c.dialect() == Dialect::kPostgres) {
    // By default a prepared statement is planned for its parameters five
    // times before its generic plan is considered, and the generic plan's
    // estimate may lose against the custom plans' average, and then every
    // call is planned: an archive's statements are look-ups by id or message
    // id and inserts, whose plan does not depend on the values, so those
    // custom plans only cost planning (6 % of the ingest backend's
    // instructions over 1,000 mails, docs/performance.md §9o).
    c.ExecScript(on ? "SET plan_cache_mode = force_generic_plan" : "RESET plan_cache_mode");
    // Those generic plans are made at a statement's first run, from the
    // statistics there are, and kept until an ANALYZE (autovacuum's, in a
    // long import) invalidates them: made while a young project's series
    // (or patches, covers) filled a page or two, they would scan the whole
    // table for each look-up by id or message id and keep doing so as it
    // grows (docs/performance.md §9v). Every statement of an archive's
    // ingest has an index to look its rows up by; with sequential scans off
    // the plans take it however small the table was when they were made.
    // So the import runs no ANALYZE of its own: until §9y it analysed each
    // table whenever it had doubled, to get such plans made again, which
    // cost 7 % of its backend's instructions (the ANALYZEs and the planning
    // after each) for plans that read no fewer rows (bench/pg_ingest_plans.sh).
    // The API's first requests after an import into empty tables plan
    // without statistics until autovacuum analyses them (within a minute);
    // at 5,000 mails their plans read fewer rows than with the import's.
    c.ExecScript(on ? "SET enable_seqscan = off" : "RESET enable_seqscan");
    return;
  }
  if (c.dialect() != Dialect::kSqlite) return;
  if (on) {
    if (UseRollbackJournal(c)) {
      c.GatherWrites(true);
      return;
    }
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
  if (JournalMode(c) != "wal") {
    c.GatherWrites(false);
    ReturnToWal(c);
    return;
  }
  // The checkpoint's page copies are gathered too; it syncs the database,
  // which writes out what was gathered, before it counts them as copied.
  c.ExecScript("PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(PASSIVE)");
  c.GatherWrites(false);
}

bool PrepareProcessForBulkLoad(std::optional<int64_t> input_bytes) {
  if (!UseSqliteSmallBlockHeap()) return false;
  // A database grows about as large as the mails it stores.
  if (input_bytes && *input_bytes >= kSqliteCacheKiB * 1024) {
    UseSqlitePageCacheOnHugePages(kSqliteCacheKiB);  // or malloc's pages, as before
  }
  return true;
}

std::optional<int64_t> RowsChanged(Connection& c) {
  if (c.dialect() != Dialect::kSqlite) return c.WritesCounted();
  return QueryInt(c, "SELECT total_changes()");
}

std::optional<int64_t> OtherWritersVersion(Connection& c) { return QueryInt(c, "PRAGMA data_version"); }

}  // namespace pb::db
