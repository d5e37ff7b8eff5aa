#include "db/read/page_ids.h"

namespace pb::db::read {

bool OrderedIdCache::Lookup(const std::string& key, int64_t generation, Ids* ids) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (it->second.generation != generation) {
    // Another thread may still be reading an older snapshot; only a newer
    // generation makes the entry useless to everyone.
    if (it->second.generation < generation) Evict(it);
    return false;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  *ids = it->second.ids;
  return true;
}

void OrderedIdCache::Put(const std::string& key, int64_t generation, Ids ids) {
  if (ids && ids->size() > max_ids_) ids = nullptr;
  size_t size = ids ? ids->size() : 0;
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.generation > generation) return;
    Evict(it);
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto next = std::next(it);
    if (it->second.generation < generation) Evict(it);
    it = next;
  }
  while (total_ids_ + size > max_ids_ && !lru_.empty()) {
    Evict(entries_.find(lru_.back()));
  }
  lru_.push_front(key);
  total_ids_ += size;
  entries_.emplace(key, Entry{generation, std::move(ids), lru_.begin()});
}

void OrderedIdCache::Evict(std::unordered_map<std::string, Entry>::iterator it) {
  if (it->second.ids) total_ids_ -= it->second.ids->size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace pb::db::read
