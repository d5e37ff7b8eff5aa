// SQLite's small allocations from per-thread free lists, for a bulk load.
//
// Why: Debian's libsqlite3 is built with SQLITE_OMIT_LOOKASIDE, so every
// cursor of every statement step, and every VDBE scratch value, is a
// malloc() and a free(): 326,000 pairs for the 5,000-mail archive, 8 % of
// parsearchive's store thread (82M instructions: glibc's tcache holds only
// 7 blocks per size, and a statement opens a cursor for its table, each of
// its indexes and each foreign-key parent). Blocks of up to 1 KB here are
// taken from and given back to a free list of their size class: ~20
// instructions each way instead of ~120.
//
// Freed blocks are kept for reuse, never returned to malloc, so the heap
// stays at SQLite's peak of small blocks (a few hundred KB for an ingest).
// Each thread has its own lists (no lock); a block freed by another thread
// than the one that took it joins the freeing thread's list. Both are fine
// for `parsearchive`, whose one connection is used by one thread; the
// server, whose threads share connections, keeps SQLite's default.
#pragma once

#include <sqlite3.h>

namespace pb::db {

// The allocator's methods, as installed (tests call them directly).
const sqlite3_mem_methods& SmallBlockHeapMethods();

// Installs the heap for every SQLite allocation of this process from now
// on. Only possible before the library initialises (before the first
// connection opens); returns false, changing nothing, after that.
bool UseSqliteSmallBlockHeap();

}  // namespace pb::db
