// Statement::Prefetch and the end of a read snapshot. On PostgreSQL a
// prefetched read rides in the pipeline of the next statement, and the
// snapshot's ROLLBACK is sent without waiting for its answer; these tests
// hold both backends to the same contract: a prefetched read answers as if
// it ran when stepped, and whatever a request leaves unread, the next
// snapshot (or write) on the connection starts clean and sees every commit.
#include <gtest/gtest.h>

#include "db/connection.h"
#include "test_util.h"

namespace pb::db {
namespace {

int64_t Generation(Connection& c) {
  Query q(c, "SELECT generation FROM data_generation WHERE id = 1");
  return q.Next() ? q.Int(0) : -1;
}

void Bump(Connection& c) {
  Transaction tx(c);
  Query(c, "UPDATE data_generation SET generation = generation + 1 WHERE id = 1").Run();
  tx.Commit();
}

// A prefetched "SELECT ?1 + 1" bound to `n`.
Statement& PlusOneAhead(Connection& c, int64_t n) {
  Statement& st = c.Prepare("SELECT ?1 + 1");
  st.BindInt(1, n);
  st.Prefetch();
  return st;
}

TEST(Prefetch, AnswersWithTheStatementItRodeWith) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t g = Generation(c);
  ReadSnapshot snapshot(c);
  EXPECT_EQ(Generation(c), g);  // the snapshot's first statement
  int64_t executed = c.statements_executed();
  Statement& ahead = PlusOneAhead(c, 41);
  EXPECT_EQ(Generation(c), g);
  ASSERT_TRUE(ahead.Step());
  EXPECT_EQ(ahead.Int(0), 42);
  EXPECT_FALSE(ahead.Step());
  ahead.Reset();
  EXPECT_EQ(c.statements_executed() - executed, 2);
}

// The first statements of a snapshot prefetched (the BEGIN rides with the
// first), behind the last snapshot's unread ROLLBACK, the second one never
// prepared on this connection: a detail request's patch, checks and
// generation in one round trip, right after another request.
TEST(Prefetch, CarriesTheSnapshotsBeginBehindTheLastRollback) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t g = Generation(c);
  {
    ReadSnapshot last(c);
    EXPECT_EQ(Generation(c), g);
  }
  Bump(c);
  {
    ReadSnapshot last(c);
    EXPECT_EQ(Generation(c), g + 1);
    Statement& prepared = PlusOneAhead(c, 0);  // prepared from now on
    ASSERT_TRUE(prepared.Step());
    prepared.Reset();
  }
  ReadSnapshot snapshot(c);
  Statement& first = PlusOneAhead(c, 1);
  Statement& second = c.Prepare("SELECT ?1 * 3");
  second.BindInt(1, 5);
  second.Prefetch();
  EXPECT_EQ(Generation(c), g + 1);
  ASSERT_TRUE(first.Step());
  EXPECT_EQ(first.Int(0), 2);
  first.Reset();
  ASSERT_TRUE(second.Step());
  EXPECT_EQ(second.Int(0), 15);
  second.Reset();
}

TEST(Prefetch, SteppedFirstRunsAlone) {
  testing::TempDb t;
  auto& c = t.conn();
  ReadSnapshot snapshot(c);
  Generation(c);
  Statement& ahead = PlusOneAhead(c, 1);
  ASSERT_TRUE(ahead.Step());
  EXPECT_EQ(ahead.Int(0), 2);
  ahead.Reset();
  EXPECT_GE(Generation(c), 0);
}

TEST(Prefetch, ResetUnreadIsDroppedAndLaterStatementsGetTheirOwnAnswers) {
  testing::TempDb t;
  auto& c = t.conn();
  ReadSnapshot snapshot(c);
  int64_t g = Generation(c);
  PlusOneAhead(c, 5).Reset();
  Statement& other = PlusOneAhead(c, 9);
  EXPECT_EQ(Generation(c), g);
  ASSERT_TRUE(other.Step());
  EXPECT_EQ(other.Int(0), 10);
  other.Reset();
}

TEST(Prefetch, LeftUnreadAtTheSnapshotsEndDoesNotReachTheNextOne) {
  testing::TempDb t;
  auto& c = t.conn();
  auto writer = Open(t.url());
  int64_t g = Generation(c);
  Statement* left = nullptr;
  {
    ReadSnapshot snapshot(c);
    EXPECT_EQ(Generation(c), g);
    left = &PlusOneAhead(c, 1);
  }
  left->Reset();
  Bump(*writer);
  {
    ReadSnapshot snapshot(c);
    EXPECT_EQ(Generation(c), g + 1);  // a new snapshot, with the new commit
    Statement& ahead = PlusOneAhead(c, 2);
    EXPECT_EQ(Generation(c), g + 1);
    ASSERT_TRUE(ahead.Step());
    EXPECT_EQ(ahead.Int(0), 3);
    ahead.Reset();
  }
  Bump(c);  // a write right after a snapshot's end
  EXPECT_EQ(Generation(*writer), g + 2);
}

TEST(Prefetch, EverySnapshotSeesTheCommitsBeforeIt) {
  testing::TempDb t;
  auto& c = t.conn();
  auto writer = Open(t.url());
  int64_t g = Generation(c);
  for (int i = 1; i <= 3; ++i) {
    Bump(*writer);
    ReadSnapshot snapshot(c);
    EXPECT_EQ(Generation(c), g + i);
  }
}

TEST(Prefetch, AFailureIsRaisedAndTheNextSnapshotWorks) {
  testing::TempDb t;
  if (!t.postgres()) GTEST_SKIP() << "SQLite answers 1/0 with NULL";
  auto& c = t.conn();
  int64_t g = Generation(c);
  {
    ReadSnapshot snapshot(c);
    Generation(c);
    Statement& failing = c.Prepare("SELECT 1 / ?1");
    failing.BindInt(1, 0);
    failing.Prefetch();
    EXPECT_THROW(Generation(c), DbError);
    failing.Reset();
  }
  {
    ReadSnapshot snapshot(c);
    Statement& failing = c.Prepare("SELECT 1 / ?1");
    failing.BindInt(1, 0);
    Generation(c);
    failing.Prefetch();
    failing.Reset();  // nobody waits for it: the snapshot's end drops it
  }
  ReadSnapshot snapshot(c);
  EXPECT_EQ(Generation(c), g);
}

}  // namespace
}  // namespace pb::db
