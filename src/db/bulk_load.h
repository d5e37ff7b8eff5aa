// What an archive import (parsearchive) needs of the database besides its
// writes: to run long write batches cheaply, and to tell whether a mail
// wrote anything without opening a savepoint for it.
#pragma once

#include <cstdint>
#include <optional>

#include "db/connection.h"

namespace pb::db {

// On: SQLite lets the WAL grow to 64 MB before a checkpoint copies it back
// into the database, instead of 4 MB, so a page that several batches
// rewrite (index and table tails) is copied back once, not once per batch.
// Readers are not affected. Off: back to 4 MB, and a checkpoint now (what
// closing the last connection would do anyway). Nothing on PostgreSQL.
void SetBulkLoad(Connection& c, bool on);

// Rows inserted, updated or deleted through this connection since it
// opened, where the backend counts them without a round trip: SQLite's
// total_changes(); on PostgreSQL Connection::WritesCounted, which counts a
// pipelined write as a change whatever it did. Two readings tell whether
// a mail that stops wrote anything that must be undone (equal readings:
// certainly nothing).
std::optional<int64_t> RowsChanged(Connection& c);

}  // namespace pb::db
