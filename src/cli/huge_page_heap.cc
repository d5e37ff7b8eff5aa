// A one-shot command (parsemail above all: one process per mail) touches
// ~0.5 MB of heap: SQLite's schema, statements and page cache, GMime's
// objects. On this kind of VM each first touch of a 4 KB page is a page fault
// costing 5-30 us, ~140 of them per parsemail, more than all the
// instructions of the run (docs/performance.md §0b, "Round 4"). One 2 MB huge
// page costs one fault and the clearing of 2 MB.
//
// glibc's malloc cannot be pointed at a mapping of ours, so its own brk heap
// is shaped instead, with nothing but malloc and free:
//  1. the break is moved up to a 2 MB boundary (address space only);
//  2. a block over 2 MB is allocated and freed: it is mmap()ed, and freeing it
//     raises malloc's mmap threshold to its size (and the trim threshold to
//     twice that), as glibc does after any large free;
//  3. a block just under 2 MB now comes from the brk heap, which grows past the
//     next boundary in one step, touching two pages;
//  4. madvise(MADV_COLLAPSE) makes the aligned 2 MB one huge page (it needs no
//     MADV_HUGEPAGE and works with THP set to "madvise");
//  5. the block is freed into the top chunk, which later allocations split;
//     the raised trim threshold keeps malloc from giving it back.
// Every step is checked against where the break really is; when one does not
// hold (another malloc preloaded, no THP, a sanitizer) nothing is collapsed
// and the process runs as before, with at most 2 MB of address space unused.
#include "cli/huge_page_heap.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

// AddressSanitizer brings its own allocator: there is no glibc heap to shape.
#if defined(__SANITIZE_ADDRESS__)
#define PB_HEAP_IS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PB_HEAP_IS_SANITIZED 1
#endif
#endif
#ifndef PB_HEAP_IS_SANITIZED
#define PB_HEAP_IS_SANITIZED 0
#endif

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

namespace pb::cli {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

uintptr_t Break() { return reinterpret_cast<uintptr_t>(sbrk(0)); }

// A call the compiler cannot drop as an unused allocation.
void* volatile keep;

}  // namespace

bool PutHeapOnHugePage() {
#if PB_HEAP_IS_SANITIZED
  return false;
#else
  const uintptr_t start = Break();
  if (start == uintptr_t(-1)) return false;
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned != start && sbrk(static_cast<intptr_t>(aligned - start)) == reinterpret_cast<void*>(-1)) {
    return false;
  }
  keep = std::malloc(kHugePage + (64 << 10));
  std::free(keep);
  void* block = std::malloc(kHugePage - (64 << 10));
  keep = block;
  const auto at = reinterpret_cast<uintptr_t>(block);
  bool collapsed = false;
  if (at >= aligned && at < aligned + 4096 && Break() >= aligned + kHugePage) {
    collapsed = madvise(reinterpret_cast<void*>(aligned), kHugePage, MADV_COLLAPSE) == 0;
  }
  std::free(block);
  return collapsed;
#endif
}

}  // namespace pb::cli
