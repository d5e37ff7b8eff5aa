// A bounded LRU map whose entries are valid for one data generation.
//
// Readers in every process know the database's generation (a counter each
// writer bumps in its transaction), so a value computed from a snapshot of
// generation G is exact for any reader of G. Shared by a server's threads.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pb {

template <typename Value>
class GenerationCache {
 public:
  using Ptr = std::shared_ptr<const Value>;

  // `max_cost`: the bound on the summed costs of the entries kept.
  explicit GenerationCache(size_t max_cost) : max_cost_(max_cost) {}

  size_t max_cost() const { return max_cost_; }

  // True when `key` was stored for `generation`; *value is what was stored
  // (possibly null: a remembered "not worth keeping").
  bool Lookup(const std::string& key, int64_t generation, Ptr* value) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    if (it->second.generation != generation) {
      // Another thread may still read an older snapshot; only a newer
      // generation makes the entry useless to everyone.
      if (it->second.generation < generation) Evict(it);
      return false;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    *value = it->second.value;
    return true;
  }

  // Keeps `value` at `cost` (ignored when over the whole bound). The first
  // value of a newer generation drops every older entry; then the least
  // recently used go until the new one fits.
  void Put(const std::string& key, int64_t generation, Ptr value, size_t cost) {
    if (cost > max_cost_) return;
    std::lock_guard lock(mu_);
    if (generation > newest_) {
      newest_ = generation;
      for (auto it = entries_.begin(); it != entries_.end();) {
        auto next = std::next(it);
        if (it->second.generation < generation) Evict(it);
        it = next;
      }
    }
    if (auto it = entries_.find(key); it != entries_.end()) {
      if (it->second.generation > generation) return;
      Evict(it);
    }
    while (cost_ + cost > max_cost_ && !lru_.empty()) Evict(entries_.find(lru_.back()));
    lru_.push_front(key);
    cost_ += cost;
    entries_.emplace(key, Entry{generation, std::move(value), cost, lru_.begin()});
  }

 private:
  struct Entry {
    int64_t generation;
    Ptr value;
    size_t cost;
    std::list<std::string>::iterator lru;
  };
  void Evict(typename std::unordered_map<std::string, Entry>::iterator it) {
    cost_ -= it->second.cost;
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }

  const size_t max_cost_;
  std::mutex mu_;
  int64_t newest_ = -1;
  size_t cost_ = 0;
  std::list<std::string> lru_;  // front = most recently used
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace pb
