#include "service/login_throttle.h"

#include <gtest/gtest.h>

namespace pb::service {
namespace {

constexpr Micros kSecond = 1000000;

TEST(LoginThrottle, AddressSlowsAfterFreeFailures) {
  LoginThrottle t;
  Micros now = 1000 * kSecond;
  for (int i = 0; i < LoginThrottle::kFreeAddressFailures; ++i) {
    EXPECT_EQ(t.WaitSeconds("u" + std::to_string(i), "10.0.0.1", now), 0);
    t.Failed("u" + std::to_string(i), "10.0.0.1", now);
  }
  EXPECT_EQ(t.WaitSeconds("other", "10.0.0.1", now), 0);  // 5 free failures
  t.Failed("other", "10.0.0.1", now);
  EXPECT_EQ(t.WaitSeconds("x", "10.0.0.1", now), 1);
  EXPECT_EQ(t.WaitSeconds("x", "10.0.0.1", now + kSecond), 0);
  t.Failed("x", "10.0.0.1", now + kSecond);
  EXPECT_EQ(t.WaitSeconds("x", "10.0.0.1", now + kSecond), 2);
  EXPECT_EQ(t.WaitSeconds("x", "10.0.0.2", now + kSecond), 0);  // another client is not slowed
}

TEST(LoginThrottle, AccountGuessingDoesNotLockOutTheOwner) {
  LoginThrottle t;
  Micros now = 1000 * kSecond;
  // Many addresses guess one account's password.
  for (int i = 0; i < 40; ++i) t.Failed("Alice", "192.0.2." + std::to_string(i), now);
  EXPECT_GT(t.WaitSeconds("alice", "192.0.2.7", now), 0);   // a guesser waits
  EXPECT_EQ(t.WaitSeconds("alice", "198.51.100.1", now), 0);  // the owner's clean address does not
}

TEST(LoginThrottle, SuccessClearsAndWindowExpires) {
  LoginThrottle t;
  Micros now = 1000 * kSecond;
  for (int i = 0; i < 8; ++i) t.Failed("bob", "10.0.0.9", now);
  EXPECT_GT(t.WaitSeconds("bob", "10.0.0.9", now), 0);
  EXPECT_EQ(t.WaitSeconds("bob", "10.0.0.9", now + LoginThrottle::kWindow + kSecond), 0);
  t.Succeeded("bob", "10.0.0.9");
  EXPECT_EQ(t.WaitSeconds("bob", "10.0.0.9", now), 0);
}

TEST(LoginThrottle, DelayIsCapped) {
  LoginThrottle t;
  Micros now = 1000 * kSecond;
  for (int i = 0; i < 100; ++i) t.Failed("carol", "10.0.0.3", now);
  EXPECT_EQ(t.WaitSeconds("carol", "10.0.0.3", now), LoginThrottle::kMaxDelaySeconds);
}

}  // namespace
}  // namespace pb::service
