#include "db/sqlite/small_block_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace pb::db {
namespace {

const sqlite3_mem_methods& M() { return SmallBlockHeapMethods(); }

void Fill(void* p, int n, unsigned char seed) {
  auto* b = static_cast<unsigned char*>(p);
  for (int i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed + i);
}
bool Holds(const void* p, int n, unsigned char seed) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (int i = 0; i < n; ++i) {
    if (b[i] != static_cast<unsigned char>(seed + i)) return false;
  }
  return true;
}

// What SQLite asks of an allocator: 8-byte alignment, xSize at least what
// was asked and equal to xRoundup's answer, contents kept by xRealloc.
TEST(SmallBlockHeap, SizesAlignmentAndContents) {
  std::vector<std::pair<void*, int>> live;
  for (int n : {1, 7, 8, 15, 16, 17, 100, 1000, 1023, 1024, 1025, 4096, 70000}) {
    void* p = M().xMalloc(n);
    ASSERT_NE(p, nullptr) << n;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u) << n;
    EXPECT_GE(M().xSize(p), n);
    EXPECT_EQ(M().xSize(p), M().xRoundup(n)) << n;
    Fill(p, n, static_cast<unsigned char>(n));
    live.emplace_back(p, n);
  }
  // No two live blocks overlap, and each still holds what was written.
  std::set<uintptr_t> starts;
  for (auto [p, n] : live) {
    auto at = reinterpret_cast<uintptr_t>(p);
    auto next = starts.upper_bound(at);
    if (next != starts.end()) {
      EXPECT_LE(at + static_cast<uintptr_t>(n), *next);
    }
    starts.insert(at);
    EXPECT_TRUE(Holds(p, n, static_cast<unsigned char>(n))) << n;
  }
  // Grown, shrunk, across the small/large line: the contents stay.
  for (auto& [p, n] : live) {
    const auto seed = static_cast<unsigned char>(n);
    for (int to : {n + 1, n * 3 + 5, 2000, 24}) {
      int kept = n < to ? n : to;
      void* q = M().xRealloc(p, to);
      ASSERT_NE(q, nullptr);
      EXPECT_GE(M().xSize(q), to);
      EXPECT_TRUE(Holds(q, kept, seed)) << n << " -> " << to;
      p = q;
      n = kept;
    }
  }
  for (auto [p, n] : live) M().xFree(p);
  M().xFree(nullptr);
  EXPECT_EQ(M().xSize(nullptr), 0);
}

// A freed block is what the next allocation of its size class gets.
TEST(SmallBlockHeap, FreedBlocksAreReused) {
  void* a = M().xMalloc(200);
  void* b = M().xMalloc(200);
  M().xFree(a);
  EXPECT_EQ(M().xMalloc(193), a);  // same 208-byte class
  M().xFree(b);
  M().xFree(a);
}

// Each thread takes from its own lists; a block freed on another thread
// than the one that took it is reused there.
TEST(SmallBlockHeap, ThreadsKeepTheirOwnLists) {
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) {
    blocks.push_back(M().xMalloc(64));
    Fill(blocks.back(), 64, static_cast<unsigned char>(i));
  }
  std::thread other([&] {
    for (int i = 0; i < 1000; ++i) {
      EXPECT_TRUE(Holds(blocks[i], 64, static_cast<unsigned char>(i)));
      M().xFree(blocks[i]);
    }
    void* p = M().xMalloc(64);
    EXPECT_EQ(p, blocks.back());
    M().xFree(p);
  });
  other.join();
}

}  // namespace
}  // namespace pb::db
