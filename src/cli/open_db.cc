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

std::string UncaughtLine(const std::string& command, const std::exception& e, int* exit_code) {
  auto* db_error = dynamic_cast<const db::DbError*>(&e);
  const bool gone = db_error && db_error->kind() == db::DbError::Kind::kUnavailable;
  *exit_code = gone ? kExitTempFail : 1;
  return "patchbay " + command + ": " +
         (gone ? "database unreachable, try again later: " : db_error ? "database error: " : "") +
         OneLine(e.what()) + "\n";
}

int ReportUncaught(const std::string& command, const std::exception& e) {
  int code = 1;
  std::fputs(UncaughtLine(command, e, &code).c_str(), stderr);
  return code;
}

}  // namespace pb::cli
