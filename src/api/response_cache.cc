#include "api/response_cache.h"

namespace pb::api {

std::shared_ptr<const http::Response> ResponseCache::Get(const std::string& key,
                                                         int64_t generation) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second.generation != generation) {
    // Only a newer generation makes the entry useless to every reader.
    if (it->second.generation < generation) Evict(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.response;
}

void ResponseCache::Put(const std::string& key, int64_t generation, const http::Response& r) {
  size_t bytes = key.size() + r.body.size();
  for (const auto& [name, value] : r.headers) bytes += name.size() + value.size();
  if (bytes > max_bytes_ / 16) return;
  auto copy = std::make_shared<const http::Response>(r);
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.generation > generation) return;
    Evict(it);
  }
  while (bytes_ + bytes > max_bytes_ && !lru_.empty()) Evict(entries_.find(lru_.back()));
  lru_.push_front(key);
  bytes_ += bytes;
  entries_.emplace(key, Entry{generation, std::move(copy), bytes, lru_.begin()});
}

void ResponseCache::Evict(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace pb::api
