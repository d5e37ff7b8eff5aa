// `patchbay held list`: the replies kept until the mail they answer is
// stored (service/ingest.h, Outcome::kHeld).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/open_db.h"
#include "cli/printable.h"
#include "core/time.h"
#include "db/held_mails.h"

namespace pb::cli {
int Held(const Args& in) {
  Args args = in;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("usage: patchbay held [list] [--database URL]\n");
    return 0;
  }
  std::string url = TakeDatabaseUrl(args);
  if (!args.empty() && args[0] != "list") {
    std::fprintf(stderr, "usage: patchbay held [list] [--database URL]\n");
    return 2;
  }
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  auto held = db::ListHeldMails(*conn);
  for (const auto& h : held) {
    std::printf("%lld  %s  %s  %s  waits for %s  (%lld bytes)\n", static_cast<long long>(h.id),
                FormatIsoDate(h.held).c_str(), Printable(h.project).c_str(),
                Printable(h.msgid).c_str(), Printable(h.waits_for).c_str(),
                static_cast<long long>(h.bytes));
  }
  if (held.empty()) std::printf("no held mails\n");
  return 0;
}

}  // namespace pb::cli
