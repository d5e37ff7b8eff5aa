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
#include <memory>
#include <string>

#include "core/generation_cache.h"
#include "http/server.h"

namespace pb::api {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes = size_t{32} << 20) : max_bytes_(max_bytes), cache_(max_bytes) {}

  // The response stored for `key` in `generation`, if any.
  std::shared_ptr<const http::Response> Get(const std::string& key, int64_t generation) {
    std::shared_ptr<const http::Response> r;
    return cache_.Lookup(key, generation, &r) ? r : nullptr;
  }
  // Keeps a copy of `r` (responses over 1/16 of the bound are not kept).
  void Put(const std::string& key, int64_t generation, const http::Response& r) {
    size_t bytes = key.size() + r.body.size();
    for (const auto& [name, value] : r.headers) bytes += name.size() + value.size();
    if (bytes > max_bytes_ / 16) return;
    cache_.Put(key, generation, std::make_shared<const http::Response>(r), bytes);
  }

 private:
  const size_t max_bytes_;
  GenerationCache<http::Response> cache_;
};

}  // namespace pb::api
