// SQLite's page cache for a bulk load, in one mapping on transparent huge
// pages.
//
// Why: an archive import fills its connection's 16 MB page cache, and each
// of its ~4,000 pages was a malloc() of ~4.3 KB and a fresh 4 KB page of
// heap to fault in: `parsearchive` of the 5,000-mail archive made 7,800
// page faults, and glibc's _int_malloc for those blocks (too large for its
// tcache and small bins: each sorts the unsorted bin) was 6 % of the CPU
// samples. SQLite can take its page cache from one buffer of fixed slots
// instead (SQLITE_CONFIG_PAGECACHE); on 2 MB pages that buffer is ten
// faults. SQLite writes a link into every slot when it initialises, so the
// whole buffer (~20 MB) is touched, and zeroed by the kernel, at the first
// open whatever the import's size: parsearchive asks for it only for an
// mbox that will fill the cache (db::PrepareProcessForBulkLoad), and only
// where the kernel takes the advice. Pages that do not fit
// a slot (a database with pages over 4 KB) and slots beyond the buffer
// come from malloc as before (docs/performance.md, "parsearchive, round 11").
#pragma once

#include <cstdint>

namespace pb::db {

// Installs a buffer for `cache_kib` KiB of 4 KB pages (a connection's
// PRAGMA cache_size=-cache_kib), for every SQLite connection of this
// process. Only possible before the library initialises; returns false,
// changing nothing, after that, or when the kernel will not put the
// mapping on transparent huge pages (on 4 KB pages SQLite's first touch of
// every slot would make a small import pay ~5,000 faults up front).
bool UseSqlitePageCacheOnHugePages(int64_t cache_kib);

}  // namespace pb::db
