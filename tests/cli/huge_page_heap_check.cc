// Checks cli::PutHeapOnHugePage() in a process of its own, run as it is in
// patchbay: from .preinit_array, before any constructor allocates. Exit 0:
// the heap's first 2 MB is one huge page and stays one while the heap is
// used; 77 (skipped): this kernel has transparent huge pages off or no
// MADV_COLLAPSE, or the build has AddressSanitizer; 1: anything else.
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cli/huge_page_heap.h"

namespace {

bool collapsed = false;
int collapse_errno = 0;

void Prepare(int, char**, char**) {
  collapsed = pb::cli::PutHeapOnHugePage();
  collapse_errno = errno;
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const kPrepare)(int, char**, char**) = Prepare;

// AnonHugePages of the mapping named [heap], in kB.
long HeapHugeKb() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_heap = false;
  long kb = 0;
  while (std::getline(smaps, line)) {
    if (line.find(" [heap]") != std::string::npos) in_heap = true;
    else if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
             line.find('-') < 16) in_heap = false;
    if (in_heap && line.rfind("AnonHugePages:", 0) == 0) kb += std::atol(line.c_str() + 14);
  }
  return kb;
}

int Fail(const char* what) {
  std::fprintf(stderr, "huge_page_heap_check: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  if (!collapsed) {
#if defined(__SANITIZE_ADDRESS__)
    std::printf("skipped: AddressSanitizer's allocator, no glibc heap\n");
    return 77;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    std::printf("skipped: AddressSanitizer's allocator, no glibc heap\n");
    return 77;
#endif
#endif
    std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string mode;
    std::getline(enabled, mode);
    if (mode.empty() || mode.find("[never]") != std::string::npos || collapse_errno == EINVAL) {
      std::printf("skipped: transparent huge pages off or no MADV_COLLAPSE (%s)\n", mode.c_str());
      return 77;
    }
    return Fail("the heap was not collapsed although THP is on");
  }
  if (HeapHugeKb() < 2048) return Fail("no huge page in [heap] after the collapse");
  // Use the heap as a command would: many small blocks, some large ones,
  // everything freed. The huge page must stay (malloc must not trim it) and
  // every block must keep what was written into it.
  std::vector<char*> blocks;
  for (int i = 0; i < 20000; ++i) {
    size_t n = 16 + (i * 7919) % 3000;
    char* p = static_cast<char*>(std::malloc(n));
    if (!p) return Fail("malloc failed");
    std::memset(p, i & 0xff, n);
    blocks.push_back(p);
  }
  char* large = static_cast<char*>(std::malloc(8 << 20));
  if (!large) return Fail("large malloc failed");
  std::memset(large, 1, 8 << 20);
  for (int i = 0; i < 20000; ++i) {
    size_t n = 16 + (i * 7919) % 3000;
    if (blocks[i][0] != static_cast<char>(i & 0xff) || blocks[i][n - 1] != static_cast<char>(i & 0xff)) {
      return Fail("a block lost its contents");
    }
    std::free(blocks[i]);
  }
  std::free(large);
  if (HeapHugeKb() < 2048) return Fail("the huge page was split or given back after use");
  std::printf("heap on a huge page: %ld kB AnonHugePages in [heap]\n", HeapHugeKb());
  return 0;
}
