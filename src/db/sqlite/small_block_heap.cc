#include "db/sqlite/small_block_heap.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace pb::db {
namespace {

constexpr uint64_t kGranule = 16;
constexpr uint64_t kMaxSmall = 1024;                // bytes a small block holds at most
constexpr uint64_t kClasses = kMaxSmall / kGranule;  // class c holds (c + 1) * 16 bytes
constexpr size_t kChunkBytes = 64 * 1024;            // small blocks are cut from these
constexpr size_t kHeader = 8;                        // the block's usable size, before it

// A block is its 8-byte header (the usable size) and then what SQLite gets,
// so SQLite's pointers are 8-byte aligned, which is what it needs. Usable
// sizes up to kMaxSmall are small blocks; larger ones come from malloc.
struct Lists {
  void* head[kClasses] = {};  // a free block's first 8 bytes point to the next
  char* at = nullptr;         // the rest of the current chunk
  char* end = nullptr;
};
thread_local Lists lists;

uint64_t& HeaderOf(void* p) { return *reinterpret_cast<uint64_t*>(static_cast<char*>(p) - kHeader); }

uint64_t RoundSmall(uint64_t n) { return (n + kGranule - 1) & ~(kGranule - 1); }
uint64_t RoundLarge(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

void* Malloc(int bytes) {
  const uint64_t n = bytes > 0 ? static_cast<uint64_t>(bytes) : 1;
  if (n > kMaxSmall) {
    const uint64_t size = RoundLarge(n);
    auto* b = static_cast<char*>(std::malloc(kHeader + size));
    if (!b) return nullptr;
    *reinterpret_cast<uint64_t*>(b) = size;
    return b + kHeader;
  }
  const uint64_t size = RoundSmall(n);
  Lists& l = lists;
  void*& head = l.head[size / kGranule - 1];
  if (head) {
    void* p = head;
    std::memcpy(&head, p, sizeof head);
    return p;
  }
  if (static_cast<size_t>(l.end - l.at) < kHeader + size) {
    // What is left of the old chunk stays unused: at most 1 KB per 64 KB.
    auto* chunk = static_cast<char*>(std::malloc(kChunkBytes));
    if (!chunk) return nullptr;
    l.at = chunk;
    l.end = chunk + kChunkBytes;
  }
  char* b = l.at;
  l.at += kHeader + size;
  *reinterpret_cast<uint64_t*>(b) = size;
  return b + kHeader;
}

void Free(void* p) {
  if (!p) return;
  const uint64_t size = HeaderOf(p);
  if (size > kMaxSmall) {
    std::free(static_cast<char*>(p) - kHeader);
    return;
  }
  void*& head = lists.head[size / kGranule - 1];
  std::memcpy(p, &head, sizeof head);
  head = p;
}

int Size(void* p) { return p ? static_cast<int>(HeaderOf(p)) : 0; }

void* Realloc(void* p, int bytes) {
  if (!p) return Malloc(bytes);
  const uint64_t n = bytes > 0 ? static_cast<uint64_t>(bytes) : 1;
  const uint64_t size = HeaderOf(p);
  if (size > kMaxSmall && n > kMaxSmall) {
    const uint64_t grown = RoundLarge(n);
    auto* b = static_cast<char*>(std::realloc(static_cast<char*>(p) - kHeader, kHeader + grown));
    if (!b) return nullptr;
    *reinterpret_cast<uint64_t*>(b) = grown;
    return b + kHeader;
  }
  if (size <= kMaxSmall && n <= kMaxSmall && RoundSmall(n) == size) return p;
  void* q = Malloc(bytes);
  if (!q) return nullptr;  // SQLite keeps `p`, as after a failed realloc()
  std::memcpy(q, p, size < n ? size : n);
  Free(p);
  return q;
}

int Roundup(int bytes) {
  const uint64_t n = bytes > 0 ? static_cast<uint64_t>(bytes) : 1;
  return static_cast<int>(n > kMaxSmall ? RoundLarge(n) : RoundSmall(n));
}

int Init(void*) { return SQLITE_OK; }
void Shutdown(void*) {}

}  // namespace

const sqlite3_mem_methods& SmallBlockHeapMethods() {
  static const sqlite3_mem_methods methods{Malloc, Free, Realloc, Size, Roundup, Init, Shutdown, nullptr};
  return methods;
}

bool UseSqliteSmallBlockHeap() {
  // SQLite copies the methods.
  sqlite3_mem_methods methods = SmallBlockHeapMethods();
  return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
}

}  // namespace pb::db
