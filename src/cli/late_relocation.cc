// Why: the loader applies the ~10,500 relative relocations of the PIE
// (DT_RELR) one word at a time, and each of the ~36 pages they land on
// costs a copy-on-write page fault, ~5 us each on the machine of
// docs/performance.md and several times that under load, while
// madvise(MADV_POPULATE_WRITE) makes the same pages present for a third of
// that (start-up round 7). The loader runs no code of ours before it
// relocates, so cmake/late_relocation.py, after the link, leaves it only
// the first 64 words (the preinit array it must read to call us) and
// writes where the rest of the table is into kLateRelr; this runs from
// .preinit_array, before anything else of the program.
//
// Nothing here may read a relocated pointer: no string tables, no virtual
// calls, no function pointers; only PC-relative addresses and calls into
// libc (through the PLT, which the loader has set up).
#include "cli/late_relocation.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include <cstdint>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

extern "C" {
// Where the loader left the relocations to us (cli/late_relocation_table.cc).
extern const std::uint64_t pb_late_relr[3] [[gnu::visibility("hidden")]];
// The ELF header of the executable, i.e. its load address (GNU ld).
extern const ElfW(Ehdr) __ehdr_start [[gnu::visibility("hidden")]];
}

namespace pb::cli {
namespace {

constexpr std::uintptr_t kPage = 4096;

std::uintptr_t PageOf(std::uintptr_t a) { return a & ~(kPage - 1); }

// Calls f(address) for every relocated word of the RELR entries [from, n),
// where the decoding state (the next address a bitmap covers) starts from
// entry 0.
template <typename F>
void ForEachWord(const std::uint64_t* relr, std::size_t n, std::size_t from,
                 std::uintptr_t base, F&& f) {
  std::uintptr_t where = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t e = relr[i];
    if ((e & 1) == 0) {
      if (i >= from) f(base + e);
      where = base + e + 8;
    } else {
      if (i >= from) {
        for (std::uint64_t bits = e >> 1; bits; bits &= bits - 1) {
          f(where + 8 * static_cast<std::uintptr_t>(__builtin_ctzll(bits)));
        }
      }
      where += 63 * 8;
    }
  }
}

// Makes present, with one madvise per run of consecutive pages, every page
// an entry of [from, n) writes. Entry by entry: an address entry writes one
// word, a bitmap entry its lowest and highest set bits' words and any page
// between (504 bytes span at most two).
void Populate(const std::uint64_t* relr, std::size_t n, std::size_t from, std::uintptr_t base) {
  std::uintptr_t run = 0, run_end = 0;  // [run, run_end) of pages
  auto add = [&](std::uintptr_t first, std::uintptr_t last) {
    const std::uintptr_t lo = PageOf(first), hi = PageOf(last) + kPage;
    if (run_end && lo <= run_end) {
      if (hi > run_end) run_end = hi;
      return;
    }
    if (run_end) madvise(reinterpret_cast<void*>(run), run_end - run, MADV_POPULATE_WRITE);
    run = lo;
    run_end = hi;
  };
  std::uintptr_t where = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t e = relr[i];
    if ((e & 1) == 0) {
      if (i >= from) add(base + e, base + e);
      where = base + e + 8;
    } else {
      const std::uint64_t bits = e >> 1;
      if (i >= from && bits) {
        add(where + 8 * static_cast<std::uintptr_t>(__builtin_ctzll(bits)),
            where + 8 * static_cast<std::uintptr_t>(63 - __builtin_clzll(bits)));
      }
      where += 63 * 8;
    }
  }
  if (run_end) madvise(reinterpret_cast<void*>(run), run_end - run, MADV_POPULATE_WRITE);
}

// The pages the loader made read-only after relocating (PT_GNU_RELRO,
// rounded as glibc's _dl_protect_relro rounds it); empty when none.
void RelroRange(std::uintptr_t base, std::uintptr_t& start, std::uintptr_t& end) {
  start = end = 0;
  const auto* ph = reinterpret_cast<const ElfW(Phdr)*>(getauxval(AT_PHDR));
  const unsigned long count = getauxval(AT_PHNUM);
  for (unsigned long i = 0; ph && i < count; ++i) {
    if (ph[i].p_type != PT_GNU_RELRO) continue;
    start = PageOf(base + ph[i].p_vaddr);
    end = PageOf(base + ph[i].p_vaddr + ph[i].p_memsz);
  }
}

}  // namespace

void ApplyLateRelocations() {
  const std::uint64_t table = pb_late_relr[0];
  const std::uint64_t size = pb_late_relr[1];
  const std::uint64_t by_loader = pb_late_relr[2];
  if (size == 0 || by_loader >= size) return;
  const auto base = reinterpret_cast<std::uintptr_t>(&__ehdr_start);
  const auto* relr = reinterpret_cast<const std::uint64_t*>(base + table);
  const std::size_t n = size / 8, from = by_loader / 8;

  std::uintptr_t relro, relro_end;
  RelroRange(base, relro, relro_end);
  // Writable again, for as long as this takes: nothing else runs yet.
  if (relro_end > relro) mprotect(reinterpret_cast<void*>(relro), relro_end - relro, PROT_READ | PROT_WRITE);
  // Where the kernel has no MADV_POPULATE_WRITE (before 5.14) this fails
  // and the writes below fault the pages in as the loader's would have.
  Populate(relr, n, from, base);
  ForEachWord(relr, n, from, base, [base](std::uintptr_t a) {
    *reinterpret_cast<std::uintptr_t*>(a) += base;
  });
  if (relro_end > relro) mprotect(reinterpret_cast<void*>(relro), relro_end - relro, PROT_READ);
}

}  // namespace pb::cli
