// Re-executes `patchbay serve` with tcmalloc preloaded (see serve_malloc.cc).
#pragma once

namespace pb::cli {

// Returns only if the process is already under tcmalloc, tcmalloc is not
// installed, or exec failed; otherwise the process image is replaced.
void ReexecServeWithTcmalloc(char** argv);

}  // namespace pb::cli
