// Puts the first 2 MB of glibc's heap on one transparent huge page.
#pragma once

namespace pb::cli {

// Call before anything else allocates (main.cc runs it from .preinit_array).
// Returns false, having changed nothing that matters, when it could not.
bool PutHeapOnHugePage();

}  // namespace pb::cli
