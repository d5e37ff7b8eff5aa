#include "service/login_throttle.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pb::service {
namespace {

std::string AccountKey(std::string_view account) {
  std::string s(account.substr(0, 256));
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// What the log shows of an attacker-chosen name: printable ASCII only.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 64));
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  }
  return out;
}

}  // namespace

LoginThrottle& LoginThrottle::Global() {
  static LoginThrottle t;
  return t;
}

int64_t LoginThrottle::Delay(const Count& c, int free, Micros now) {
  if (c.failures <= free || now - c.last > kWindow) return 0;
  int over = std::min(c.failures - free, 20);
  int64_t delay = std::min<int64_t>(int64_t{1} << (over - 1), kMaxDelaySeconds);
  int64_t waited = (now - c.last) / 1000000;
  return waited >= delay ? 0 : delay - waited;
}

int64_t LoginThrottle::WaitSeconds(std::string_view account, std::string_view address, Micros now) {
  std::string acc = AccountKey(account);
  std::lock_guard lock(mu_);
  int64_t wait = 0;
  if (auto it = by_address_.find(std::string(address)); it != by_address_.end()) {
    wait = Delay(it->second, kFreeAddressFailures, now);
  }
  // The account's failures slow only addresses that took part in them.
  if (by_pair_.count(acc + '\n' + std::string(address))) {
    if (auto it = by_account_.find(acc); it != by_account_.end()) {
      wait = std::max(wait, Delay(it->second, kFreeAccountFailures, now));
    }
  }
  return wait;
}

void LoginThrottle::Bump(std::unordered_map<std::string, Count>& map, const std::string& key,
                         Micros now) {
  if (map.size() >= kMaxEntries && !map.count(key)) {
    std::erase_if(map, [&](const auto& kv) { return now - kv.second.last > kWindow; });
    // Still full: everyone is failing at once; forget the oldest half.
    if (map.size() >= kMaxEntries) {
      Micros cut = now;
      for (const auto& kv : map) cut = std::min(cut, kv.second.last);
      Micros mid = cut + (now - cut) / 2;
      std::erase_if(map, [&](const auto& kv) { return kv.second.last <= mid; });
    }
  }
  Count& c = map[key];
  if (c.failures == 0 || now - c.last > kWindow) c = Count{0, now, now};
  ++c.failures;
  c.last = now;
}

void LoginThrottle::Failed(std::string_view account, std::string_view address, Micros now) {
  std::string acc = AccountKey(account);
  std::string addr(address);
  std::lock_guard lock(mu_);
  Bump(by_address_, addr, now);
  Bump(by_account_, acc, now);
  Bump(by_pair_, acc + '\n' + addr, now);
  const Count& a = by_address_[addr];
  const Count& u = by_account_[acc];
  if (a.failures > kFreeAddressFailures || u.failures > kFreeAccountFailures) {
    std::fprintf(stderr,
                 "patchbay: login throttled: %d failures from %s, %d on account '%s' in 15 min\n",
                 a.failures, Printable(addr).c_str(), u.failures, Printable(acc).c_str());
  }
}

void LoginThrottle::Succeeded(std::string_view account, std::string_view address) {
  std::string acc = AccountKey(account);
  std::lock_guard lock(mu_);
  by_pair_.erase(acc + '\n' + std::string(address));
  by_address_.erase(std::string(address));
}

}  // namespace pb::service
