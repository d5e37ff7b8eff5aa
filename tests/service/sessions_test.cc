// Login sessions: service/sessions.h over db/sessions.h on a real database.
#include "service/sessions.h"

#include <gtest/gtest.h>

#include "db/sessions.h"
#include "db/users.h"
#include "service/passwords.h"
#include "test_util.h"

namespace pb::service {
namespace {

// One PBKDF2 hash (260,000 rounds, ~0.1 s) shared by every test.
const std::string& SecretHash() {
  static const std::string h = HashPassword("s3cret pass");
  return h;
}

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::UserRow alice;
    alice.username = "alice";
    alice.email = "Alice@Example.com";
    alice_ = db::InsertUser(c(), alice, SecretHash());
    db::UserRow gone;
    gone.username = "gone";
    gone.email = "gone@example.com";
    gone.is_active = false;
    db::InsertUser(c(), gone, SecretHash());
  }
  db::Connection& c() { return db_.conn(); }
  int64_t SessionRows() { return db::QueryInt(c(), "SELECT COUNT(*) FROM sessions").value_or(-1); }

  testing::TempDb db_;
  db::Id alice_ = 0;
};

TEST_F(SessionsTest, LoginByUsernameMakesALiveSession) {
  Micros now = 1'700'000'000'000'000;
  auto s = LogIn(c(), "alice", "s3cret pass", now);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->user.user.id, alice_);
  EXPECT_EQ(s->key.size(), 32u);
  EXPECT_EQ(s->key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
  EXPECT_EQ(s->expires, now + int64_t{14} * 24 * 3600 * 1000000);
  auto found = ResolveSession(c(), s->key, now + 1);
  ASSERT_TRUE(found.user);
  EXPECT_EQ(found.user->user.username, "alice");
  EXPECT_FALSE(found.stale);
  EXPECT_EQ(db::QueryInt(c(), "SELECT last_login FROM users WHERE id = ?1", alice_), now);
  // Only a hash of the key is stored.
  EXPECT_EQ(db::QueryInt(c(), "SELECT COUNT(*) FROM sessions WHERE key_hash = ?1", s->key), 0);
}

TEST_F(SessionsTest, LoginByEmailIgnoresCase) {
  auto s = LogIn(c(), "alice@example.COM", "s3cret pass");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user.user.id, alice_);
}

TEST_F(SessionsTest, WrongPasswordUnknownUserAndInactiveUserAreRefusedAlike) {
  auto wrong = LogIn(c(), "alice", "s3cret pas");
  auto unknown = LogIn(c(), "bob", "s3cret pass");
  auto inactive = LogIn(c(), "gone", "s3cret pass");
  auto username_case = LogIn(c(), "Alice", "s3cret pass");  // usernames are exact, as Django's
  for (const auto* r : {&wrong, &unknown, &inactive, &username_case}) {
    EXPECT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), Code::kInvalid);
    EXPECT_EQ(r->status().message(), wrong.status().message());
  }
  EXPECT_EQ(SessionRows(), 0);
}

TEST_F(SessionsTest, ExpiredSessionsAreIgnoredAndCleanedAtTheNextLogin) {
  Micros now = 1'700'000'000'000'000;
  auto s = LogIn(c(), "alice", "s3cret pass", now);
  ASSERT_TRUE(s.ok());
  auto later = ResolveSession(c(), s->key, s->expires);
  EXPECT_FALSE(later.user);
  EXPECT_TRUE(later.stale);
  EXPECT_EQ(SessionRows(), 1);
  auto again = LogIn(c(), "alice", "s3cret pass", s->expires + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SessionRows(), 1);  // the expired one is gone, the new one stays
  EXPECT_TRUE(ResolveSession(c(), again->key, s->expires + 2).user);
}

TEST_F(SessionsTest, LogoutEndsOnlyThatSession) {
  auto a = LogIn(c(), "alice", "s3cret pass");
  auto b = LogIn(c(), "alice", "s3cret pass");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key, b->key);
  LogOut(c(), a->key);
  EXPECT_FALSE(ResolveSession(c(), a->key).user);
  EXPECT_TRUE(ResolveSession(c(), a->key).stale);
  EXPECT_TRUE(ResolveSession(c(), b->key).user);
  LogOut(c(), "no-such-session");  // harmless
}

TEST_F(SessionsTest, UnknownKeysAreStale) {
  auto r = ResolveSession(c(), "abcdefghabcdefghabcdefghabcdefgh");
  EXPECT_FALSE(r.user);
  EXPECT_TRUE(r.stale);
}

TEST_F(SessionsTest, PasswordChangeEndsSessions) {
  auto s = LogIn(c(), "alice", "s3cret pass");
  ASSERT_TRUE(s.ok());
  db::Query(c(), "UPDATE users SET password = ?1 WHERE id = ?2", "pbkdf2_sha256$1$x$y", alice_).Run();
  auto r = ResolveSession(c(), s->key);
  EXPECT_FALSE(r.user);
  EXPECT_TRUE(r.stale);
  EXPECT_EQ(SessionRows(), 0);
}

TEST_F(SessionsTest, DeactivatedUserHasNoSessionUser) {
  auto s = LogIn(c(), "alice", "s3cret pass");
  ASSERT_TRUE(s.ok());
  db::Query(c(), "UPDATE users SET is_active = 0 WHERE id = ?1", alice_).Run();
  auto r = ResolveSession(c(), s->key);
  EXPECT_FALSE(r.user);
  EXPECT_FALSE(r.stale);  // Django keeps the session; it just authenticates nobody
}

TEST_F(SessionsTest, RegenerateTokenReplacesTheToken) {
  std::string first = RegenerateToken(c(), alice_);
  EXPECT_EQ(first.size(), 40u);
  EXPECT_EQ(db::TokenOf(c(), alice_), first);
  std::string second = RegenerateToken(c(), alice_);
  EXPECT_NE(first, second);
  EXPECT_EQ(db::TokenOf(c(), alice_), second);
  EXPECT_EQ(db::QueryInt(c(), "SELECT COUNT(*) FROM tokens WHERE user_id = ?1", alice_), 1);
}

}  // namespace
}  // namespace pb::service
