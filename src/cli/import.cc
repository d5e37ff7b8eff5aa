#include <cstdio>

#include "cli/commands.h"
#include "cli/open_db.h"
#include "db/import/source.h"
#include "importer/importer.h"

namespace pb::cli {

int Import(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  std::string from = TakeOption(args, "--from");
  importer::Options options;
  if (std::string tz = TakeOption(args, "--time-zone"); !tz.empty()) options.time_zone = tz;
  std::string clock = TakeOption(args, "--server-clock");
  options.resume = TakeFlag(args, "--resume");
  options.quiet = TakeFlag(args, "--quiet");
  if (from.empty() || !args.empty() || (clock != "" && clock != "utc" && clock != "local")) {
    std::fprintf(stderr,
                 "usage: patchbay import --from URL [--database URL] [--time-zone ZONE]\n"
                 "                       [--server-clock utc|local] [--resume] [--quiet]\n"
                 "  --from          upstream Patchwork 3.x database: sqlite:///path,\n"
                 "                  postgresql://user:pass@host/db, or mysql://user:pass@host/db\n"
                 "                  (also mariadb://; a socket: mysql://user@localhost/db?socket=PATH)\n"
                 "  --time-zone     upstream's TIME_ZONE setting (default Australia/Canberra)\n"
                 "  --server-clock  local for databases written by Patchwork v3.2 or later,\n"
                 "                  whose event/check dates are TIME_ZONE time (default utc:\n"
                 "                  v3.0/v3.1 wrote them in UTC)\n"
                 "  --resume        continue an interrupted import into a non-empty database\n");
    return 2;
  }
  options.server_clock_local = clock == "local";
  auto source = db::import::OpenSource(from);
  auto target = OpenMigrated(url);
  if (!target) return 1;
  Status s = importer::Import(*source, *target, options);
  if (!s.ok()) {
    std::fprintf(stderr, "patchbay import: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace pb::cli
