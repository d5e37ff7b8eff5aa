// A few threads for slow CPU work that must not hold a serving thread
// (password hashing, ~110 ms a PBKDF2 check): the serving thread hands the
// job over and goes on serving its other connections.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pb::http {

class SidePool {
 public:
  SidePool(int threads, size_t max_queued);
  ~SidePool();  // finishes the queued jobs, then joins
  SidePool(const SidePool&) = delete;
  SidePool& operator=(const SidePool&) = delete;

  // False when `max_queued` jobs already wait: the caller answers 503.
  bool Submit(std::function<void()> job);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pb::http
