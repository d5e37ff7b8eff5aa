#include <cstdio>

#include "cli/commands.h"
#include "db/migrations.h"

namespace pb::cli {

int Migrate(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  auto conn = db::Open(url);
  auto applied = db::Migrate(*conn);
  if (!applied.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", applied.status().message().c_str());
    return 1;
  }
  std::printf("database %s at schema version %d (%d migration%s applied)\n", url.c_str(),
              db::CurrentSchemaVersion(*conn), *applied, *applied == 1 ? "" : "s");
  return 0;
}

}  // namespace pb::cli
