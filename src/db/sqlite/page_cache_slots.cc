#include "db/sqlite/page_cache_slots.h"

#include <sqlite3.h>
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

namespace pb::db {
namespace {

constexpr size_t kPageBytes = 4096;  // SQLite's default page size, patchbay's databases'
constexpr size_t kHugePage = size_t{2} << 20;
// Pages a connection holds beyond its cache size for a moment (pinned by
// open cursors while others are recycled), and those of another connection.
constexpr size_t kSpareSlots = 256;

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// "never" in the kernel's setting: MADV_HUGEPAGE would succeed and change
// nothing.
bool HugePagesOnAdvice() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  return s.find("[always]") != std::string::npos || s.find("[madvise]") != std::string::npos;
}

}  // namespace

bool UseSqlitePageCacheOnHugePages(int64_t cache_kib) {
  if (cache_kib <= 0 || !HugePagesOnAdvice()) return false;
  int header = 0;  // SQLite's bookkeeping per page, kept in the slot after the page
  if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK || header <= 0) return false;
  const size_t slot = RoundUp(kPageBytes + static_cast<size_t>(header), 8);
  // SQLite's own count for a cache size in KiB: bytes over page plus header.
  const size_t slots = static_cast<size_t>(cache_kib) * 1024 / slot + kSpareSlots;
  const size_t bytes = RoundUp(slot * slots, kHugePage);
  // One huge page more, to start the buffer on a huge page's boundary.
  void* mapped = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) return false;
  auto* start = static_cast<char*>(mapped);
  char* buf = start + (RoundUp(reinterpret_cast<uintptr_t>(start), kHugePage) -
                       reinterpret_cast<uintptr_t>(start));
  if (madvise(buf, bytes, MADV_HUGEPAGE) != 0 ||
      sqlite3_config(SQLITE_CONFIG_PAGECACHE, buf, static_cast<int>(slot),
                     static_cast<int>(slots)) != SQLITE_OK) {
    munmap(mapped, bytes + kHugePage);
    return false;
  }
  // The rest of the mapping stays for SQLite's lifetime, the process's.
  return true;
}

}  // namespace pb::db
