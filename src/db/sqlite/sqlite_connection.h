#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::db {

// Each connection's page cache (PRAGMA cache_size=-kSqliteCacheKiB).
constexpr int64_t kSqliteCacheKiB = 16384;

// SQLite in WAL mode with a 60 s busy timeout, so several parsemail
// processes and servers can share one file.
// read_only: opens an existing file without changing it (no WAL switch).
std::unique_ptr<Connection> OpenSqlite(const std::string& path, bool read_only = false);

}  // namespace pb::db
