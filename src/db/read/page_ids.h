// Deep pages without the OFFSET walk. Patchwork's API numbers its pages, so a
// request for page 3,334 must skip 99,990 rows; even index-only, that walk
// costs milliseconds per request. Instead, the first deep request of a list
// reads the whole ordered id list once and keeps it for the generation it
// was read in (every writer bumps data_generation in its transaction, so the
// list is exact for every reader of that generation); later pages are a
// slice of it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/generation_cache.h"
#include "db/read/rows.h"

namespace pb::db::read {

// Shared by a server's threads. Bounded by the total number of ids kept;
// a list longer than the bound is never cached (its pages walk OFFSET).
class OrderedIdCache {
 public:
  using Ids = std::shared_ptr<const std::vector<Id>>;

  // Pages whose offset is below `min_offset` walk OFFSET: that is cheaper
  // than reading a list for a shallow page.
  explicit OrderedIdCache(size_t max_ids = size_t{4} << 20, int64_t min_offset = 1000)
      : min_offset_(min_offset), cache_(max_ids) {}

  int64_t min_offset() const { return min_offset_; }
  size_t max_ids() const { return cache_.max_cost(); }

  // True when `key` is known for `generation`: then *ids is its list, or
  // null when the list is too long to keep.
  bool Lookup(const std::string& key, int64_t generation, Ids* ids) {
    return cache_.Lookup(key, generation, ids);
  }
  // Keeps `ids` (null: remember that the list is too long).
  void Put(const std::string& key, int64_t generation, Ids ids) {
    if (ids && ids->size() > max_ids()) ids = nullptr;
    size_t cost = ids ? ids->size() : 0;
    cache_.Put(key, generation, std::move(ids), cost);
  }

 private:
  const int64_t min_offset_;
  GenerationCache<std::vector<Id>> cache_;
};

// A list page read by ReadPageAlone: its rows and the generation the one
// statement saw.
template <typename Row>
struct PageAlone {
  int64_t generation = -1;
  std::vector<Row> rows;
};

}  // namespace pb::db::read
