// What an archive import (parsearchive) needs of the database besides its
// writes: to run long write batches cheaply, and to tell whether a mail
// wrote anything without opening a savepoint for it.
#pragma once

#include <cstdint>
#include <optional>

#include "db/connection.h"

namespace pb::db {

// On, SQLite: a database that no other connection has open is switched to
// a rollback journal (each page written once; bulk_load.cc says why and
// what happens when another connection opens it meanwhile). Otherwise it
// stays in WAL mode and the WAL may grow to 8 MB before a checkpoint copies
// it back into the database, instead of 4 MB, and is then written again
// from its start (its pages are still in the page cache, which fresh pages
// are not). Readers are not affected. Also Connection::GatherWrites (SQLite:
// WAL frames, checkpoint copies and the database's own page writes in writes
// of up to 128 KB). Off: back to WAL mode, or to 4 MB and a checkpoint now
// (what closing the last connection would do anyway). PostgreSQL: this session's
// prepared statements use their generic plan from the first execution on
// (plan_cache_mode), and off restores the server's default.
void SetBulkLoad(Connection& c, bool on);

// For a process that opens its connections to bulk load with them
// (parsearchive), called before the first opens: SQLite's small
// allocations come from per-thread free lists (db/sqlite/small_block_heap.h)
// instead of malloc, and, for an input of `input_bytes` (where known) large
// enough to fill a connection's page cache, that cache from one buffer on
// huge pages (db/sqlite/page_cache_slots.h; the whole buffer is touched at
// the first open, which a small import would pay for without using it).
// False, changing nothing, once SQLite has started.
bool PrepareProcessForBulkLoad(std::optional<int64_t> input_bytes);

// Rows inserted, updated or deleted through this connection since it
// opened, where the backend counts them without a round trip: SQLite's
// total_changes(); on PostgreSQL Connection::WritesCounted, which counts a
// pipelined write as a change whatever it did. Two readings tell whether
// a mail that stops wrote anything that must be undone (equal readings:
// certainly nothing).
std::optional<int64_t> RowsChanged(Connection& c);

// SQLite's PRAGMA data_version: it changes when another connection commits
// to the database, not for this connection's own commits, so two equal
// readings mean nobody else wrote in between. Only for SQLite connections.
std::optional<int64_t> OtherWritersVersion(Connection& c);

}  // namespace pb::db
