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
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/server.h"

namespace pb::api {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes = size_t{32} << 20) : max_bytes_(max_bytes) {}

  // The response stored for `key` in `generation`, if any.
  std::shared_ptr<const http::Response> Get(const std::string& key, int64_t generation);
  // Keeps a copy of `r` (bodies over 1/16 of the bound are not kept).
  void Put(const std::string& key, int64_t generation, const http::Response& r);

 private:
  struct Entry {
    int64_t generation;
    std::shared_ptr<const http::Response> response;
    size_t bytes;
    std::list<std::string>::iterator lru;
  };
  void Evict(std::unordered_map<std::string, Entry>::iterator it);

  const size_t max_bytes_;
  std::mutex mu_;
  size_t bytes_ = 0;
  std::list<std::string> lru_;  // front = most recently used
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace pb::api
