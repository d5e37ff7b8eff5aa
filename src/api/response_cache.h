// Finished anonymous GET responses, kept for the data generation they were
// rendered in. Every writer bumps data_generation in the transaction of its
// change, so an entry is exact for every request that reads the same
// generation: a hit returns the bytes the view would have rendered. It pays
// where the same URL is asked for many times between writes (CI bots and
// git-pw polling the first page of a list or the event feed); deployments
// that want every request rendered can turn it off (`serve
// --no-response-cache`). Shared by a server's threads; bounded in bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "core/generation_cache.h"
#include "http/server.h"

namespace pb::api {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes = size_t{16} << 20) : cache_(max_bytes) {}

  // The response stored for `key` in `generation`, if any.
  std::shared_ptr<const http::Response> Get(const std::string& key, int64_t generation) {
    std::shared_ptr<const http::Response> r;
    return cache_.Lookup(key, generation, &r) ? r : nullptr;
  }
  // Keeps a copy of `r` once `key` missed twice in `generation` (responses
  // over 1/16 of the bound are never kept).
  void Put(const std::string& key, int64_t generation, const http::Response& r) {
    if (!SeenBefore(key, generation)) return;
    size_t bytes = key.size() + r.body.size();
    for (const auto& [name, value] : r.headers) bytes += name.size() + value.size();
    if (bytes > cache_.max_cost() / 16) return;
    cache_.Put(key, generation, std::make_shared<const http::Response>(r), bytes);
  }

 private:
  // Whether `key` already missed once in `generation` (and remembers that it
  // did). Requests for random patches miss once and never come back: copying
  // each of them into the cache cost the detail endpoint 8 % of its CPU and
  // filled the cache with responses nobody asked for again.
  bool SeenBefore(const std::string& key, int64_t generation) {
    size_t h = std::hash<std::string>{}(key);
    std::lock_guard lock(seen_mu_);
    if (generation != seen_generation_) {
      seen_.clear();
      seen_generation_ = generation;
    }
    if (seen_.erase(h)) return true;
    if (seen_.size() >= 65536) seen_.clear();
    seen_.insert(h);
    return false;
  }

  GenerationCache<http::Response> cache_;
  std::mutex seen_mu_;
  int64_t seen_generation_ = -1;
  std::unordered_set<size_t> seen_;
};

}  // namespace pb::api
