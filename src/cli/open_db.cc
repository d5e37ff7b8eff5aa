#include "cli/open_db.h"

#include <cstdio>

#include "cli/printable.h"
#include "db/migrations.h"

namespace pb::cli {

std::unique_ptr<db::Connection> OpenMigrated(const std::string& url, bool* unavailable, std::string* error) {
  if (unavailable) *unavailable = false;
  auto report = [&](const std::string& line) {
    if (error) {
      *error += line + "\n";
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  };
  try {
    auto conn = db::Open(url);
    auto applied = db::Migrate(*conn);
    if (!applied.ok()) {
      report("patchbay: " + applied.status().message());
      return nullptr;
    }
    return conn;
  } catch (const db::DbError& e) {
    const bool gone = e.kind() == db::DbError::Kind::kUnavailable;
    if (gone && !unavailable) throw;
    report(std::string("patchbay: ") + (gone ? "database unreachable, try again later: " : "") + OneLine(e.what()));
    if (unavailable) *unavailable = gone;
    return nullptr;
  }
}

int ReportUncaught(const std::string& command, const std::exception& e) {
  auto* db_error = dynamic_cast<const db::DbError*>(&e);
  const bool gone = db_error && db_error->kind() == db::DbError::Kind::kUnavailable;
  std::fprintf(stderr, "patchbay %s: %s%s\n", command.c_str(),
               gone ? "database unreachable, try again later: " : db_error ? "database error: " : "",
               OneLine(e.what()).c_str());
  return gone ? kExitTempFail : 1;
}

}  // namespace pb::cli
