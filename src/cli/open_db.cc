#include "cli/open_db.h"

#include <cstdio>

#include "db/migrations.h"

namespace pb::cli {

std::unique_ptr<db::Connection> OpenMigrated(const std::string& url, bool* unavailable) {
  if (unavailable) *unavailable = false;
  try {
    auto conn = db::Open(url);
    auto applied = db::Migrate(*conn);
    if (!applied.ok()) {
      std::fprintf(stderr, "patchbay: %s\n", applied.status().message().c_str());
      return nullptr;
    }
    return conn;
  } catch (const db::DbError& e) {
    std::fprintf(stderr, "patchbay: %s\n", e.what());
    if (unavailable) *unavailable = e.kind() == db::DbError::Kind::kUnavailable;
    return nullptr;
  }
}

}  // namespace pb::cli
