// `patchbay serve` runs under tcmalloc, the one-shot commands under glibc's
// malloc. tcmalloc's per-thread caches give the server 13-15 % more requests
// per CPU-second (docs/performance.md §2c), but linking it makes every process
// pay for its start-up: the first malloc builds and clears its page map,
// ~1,000 page faults, twice the whole cost of `patchbay help`. So the binary is
// linked without it and `serve` re-executes itself once with it preloaded.
#include "cli/serve_malloc.h"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace pb::cli {

void ReexecServeWithTcmalloc(char** argv) {
#ifdef PATCHBAY_TCMALLOC_PATH
  // Set on the way in, so a failed or refused preload never loops.
  static const char kMarker[] = "PATCHBAY_SERVE_MALLOC";
  if (std::getenv(kMarker) || access(PATCHBAY_TCMALLOC_PATH, R_OK) != 0) return;
  std::string preload = PATCHBAY_TCMALLOC_PATH;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
  setenv("LD_PRELOAD", preload.c_str(), 1);
  setenv(kMarker, "1", 1);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): serve under glibc's malloc, just slower.
  unsetenv("LD_PRELOAD");
#else
  (void)argv;
#endif
}

}  // namespace pb::cli
