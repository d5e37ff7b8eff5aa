// A SQLite VFS over the default one that, while a connection is in a bulk
// load (parsearchive), gathers its consecutive writes to the WAL and to the
// database file into one pwrite() of up to 128 KB instead of one per call.
//
// Why: SQLite writes each WAL frame as two calls (the 24-byte frame header,
// then the 4 KB page), and a checkpoint copies the pages back one pwrite()
// each. For a 5,000-mail archive that was ~40,000 pwrite() calls, most of
// parsearchive's kernel time (docs/performance.md, "parsearchive, round 6").
//
// What stays as it was: every write is in the kernel before anything can
// depend on it. A buffer is flushed, in the calling thread, before
//   * the write of a transaction's commit frame returns (so COMMIT, and the
//     WAL-index header that publishes the frames, come after the frames; a
//     failed flush fails that write, hence the COMMIT);
//   * a read of the same file;
//   * any sync, truncate, size query, lock, file control or shared-memory
//     call (lock, barrier, map) of the file or of its database's
//     connection, and before a write that does not follow on;
//   * the file is closed or the bulk load ends.
// So readers in other processes see the same bytes at the same points as
// without the buffer, and durability is unchanged: with synchronous=NORMAL a
// checkpoint syncs the database before it records the pages as copied. Off
// (the default, and every connection but a bulk load's), calls go straight
// through.
#pragma once

#include <sqlite3.h>

namespace pb::db {

// The VFS's name; registered (not as the default) by the first call.
const char* CoalescingVfsName();

// File control opcode (on "main") that turns gathering on (*arg != 0) or
// off for the connection's database file and its WAL. Unknown to other
// VFSes, which answer SQLITE_NOTFOUND.
constexpr int kFcntlCoalesceWrites = 0x7062;  // "pb"

}  // namespace pb::db
