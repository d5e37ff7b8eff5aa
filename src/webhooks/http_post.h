// POSTs through libcurl's multi interface: several requests in flight on
// one thread, each with short timeouts, so a receiver that accepts and
// never answers holds one slot until `total_timeout_ms`, and the others
// keep moving (the dispatcher refills free slots as transfers end).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"

namespace pb::webhooks {

struct Post {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct PostResult {
  long status = 0;      // HTTP status; 0 when there was no response
  std::string error;    // empty on a 2xx answer, else why not (printable ASCII)
  Micros started = 0;
  Micros duration_us = 0;
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

struct PostLimits {
  long connect_timeout_ms = 5000;
  long total_timeout_ms = 10000;
};

class PostPump {
 public:
  explicit PostPump(const PostLimits& limits);
  ~PostPump();  // abandons what is still in flight
  PostPump(const PostPump&) = delete;
  PostPump& operator=(const PostPump&) = delete;

  void Add(uint64_t tag, const Post& post);
  size_t in_flight() const { return transfers_.size(); }
  // Moves the transfers for up to `wait_ms` (less when one ends); returns
  // those that ended, with their tags.
  std::vector<std::pair<uint64_t, PostResult>> Run(int wait_ms);

 private:
  struct Transfer;
  PostLimits limits_;
  void* multi_;
  std::vector<Transfer*> transfers_;
};

}  // namespace pb::webhooks
