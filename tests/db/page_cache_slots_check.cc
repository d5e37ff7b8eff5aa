// Checks db::UseSqlitePageCacheOnHugePages() in a process of its own (it
// must run before SQLite initialises). Exit 0: a connection's pages come
// from the buffer, the buffer is on huge pages, and the call is refused once
// SQLite has started; 77 (skipped): this kernel has transparent huge pages
// off; 1: anything else.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "db/sqlite/page_cache_slots.h"

namespace {

// AnonHugePages of the whole process, in kB.
long AnonHugeKb() {
  std::ifstream f("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("AnonHugePages:", 0) == 0) return std::atol(line.c_str() + 14);
  }
  return 0;
}

int Fail(const char* what) {
  std::fprintf(stderr, "page_cache_slots_check: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  const long huge_before = AnonHugeKb();
  if (!pb::db::UseSqlitePageCacheOnHugePages(1024)) {
    std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string mode((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (mode.empty() || mode.find("[never]") != std::string::npos) {
      std::printf("skipped: transparent huge pages are off\n");
      return 77;
    }
    return Fail("refused before SQLite started");
  }
  const auto dir = std::filesystem::temp_directory_path() / ("pcs-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "x.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return Fail("open");
  // 300 rows of 2 KB: ~150 pages, more than SQLite would take from its
  // first bulk allocation, all in a 1 MB cache.
  const char* sql =
      "PRAGMA cache_size=-1024; CREATE TABLE t (x BLOB);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
      "INSERT INTO t SELECT randomblob(2048) FROM n;";
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Fail(sqlite3_errmsg(db));
  int used = 0, high = 0;
  sqlite3_status(SQLITE_STATUS_PAGECACHE_USED, &used, &high, 0);
  int overflow = 0, overflow_high = 0;
  sqlite3_status(SQLITE_STATUS_PAGECACHE_OVERFLOW, &overflow, &overflow_high, 0);
  const long huge_after = AnonHugeKb();
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
  if (high < 100) return Fail("the connection's pages did not come from the buffer");
  if (overflow_high != 0) return Fail("pages of a 1 MB cache overflowed the buffer sized for it");
  if (huge_after - huge_before < 2048) return Fail("the buffer is not on huge pages");
  if (pb::db::UseSqlitePageCacheOnHugePages(1024)) return Fail("accepted after SQLite started");
  std::printf("ok: %d slots used at most, %ld kB more on huge pages\n", high, huge_after - huge_before);
  return 0;
}
