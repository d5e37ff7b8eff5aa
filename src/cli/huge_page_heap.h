// Puts the first 2 MB of glibc's heap on one transparent huge page.
#pragma once

#include <cstddef>

namespace pb::cli {

// Call before anything else allocates (main.cc runs it from .preinit_array).
// Returns false, having changed nothing that matters, when it could not.
bool PutHeapOnHugePage();

// For a long-running process that allocates tens of MB (parsearchive), called
// before its second thread starts: every thread allocates from glibc's main
// heap, whose next `bytes` (address space only, until touched) are marked
// for transparent huge pages and kept when freed. Why: on this kind of VM a
// first touch of a 4 KB page costs ~13 us, and an archive import touched
// ~7,800 of them (SQLite's page cache, the mails, the parse thread's arena),
// a fifth of its CPU time. False, having changed at most malloc's settings,
// when the heap could not be grown that way.
bool GrowHeapOnHugePages(size_t bytes);

}  // namespace pb::cli
