// Login throttling (issue #9 item 11): failed logins are counted per
// account and per client address over a 15-minute window. Past a few free
// failures, the next attempt must wait (1 s, 2 s, 4 s ... at most 5 min
// after the last failure) and is refused before any password hashing, so
// guessing costs the server nothing. The account's count slows only the
// addresses that have failed on it: the real user, logging in from an
// address without failures, is never locked out by someone else's
// guessing. Memory is bounded; the state is per process.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace pb::service {

class LoginThrottle {
 public:
  static constexpr int kFreeAddressFailures = 5;
  static constexpr int kFreeAccountFailures = 10;
  static constexpr Micros kWindow = 15LL * 60 * 1000000;
  static constexpr int64_t kMaxDelaySeconds = 300;
  static constexpr size_t kMaxEntries = 100000;

  // 0 when the attempt may go ahead, else the seconds to wait.
  int64_t WaitSeconds(std::string_view account, std::string_view address, Micros now = NowMicros());
  void Failed(std::string_view account, std::string_view address, Micros now = NowMicros());
  // A good password clears the address's failures on this account.
  void Succeeded(std::string_view account, std::string_view address);

  static LoginThrottle& Global();

 private:
  struct Count {
    int failures = 0;
    Micros first = 0, last = 0;
  };
  static int64_t Delay(const Count& c, int free, Micros now);
  void Bump(std::unordered_map<std::string, Count>& map, const std::string& key, Micros now);

  std::mutex mu_;
  std::unordered_map<std::string, Count> by_address_;
  std::unordered_map<std::string, Count> by_account_;
  std::unordered_map<std::string, Count> by_pair_;  // account + '\n' + address
};

}  // namespace pb::service
