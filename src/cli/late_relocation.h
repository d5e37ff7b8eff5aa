// The binary's own relative relocations, applied by the binary instead of
// the dynamic loader, so that the pages they write are made present in one
// call each instead of one copy-on-write fault each.
#pragma once

namespace pb::cli {

// Call first thing in .preinit_array (main.cc), before any code reads a
// pointer of .data.rel.ro or .data: until it returns, all but the
// preinit array's are unrelocated. Does nothing in a binary that
// cmake/late_relocation.py did not prepare (the loader then did it all).
void ApplyLateRelocations();

}  // namespace pb::cli
