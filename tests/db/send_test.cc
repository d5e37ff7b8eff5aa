// Statement::Send: a write whose outcome is read later. On PostgreSQL it is
// queued in a pipeline inside a write transaction; these tests hold both
// backends to the same contract: its effects are seen by the next read, and
// its error is raised by the end of the mail's savepoint at the latest.
#include <gtest/gtest.h>

#include "db/connection.h"
#include "db/savepoints.h"
#include "test_util.h"

namespace pb::db {
namespace {

int64_t Generation(Connection& c) {
  Query q(c, "SELECT generation FROM data_generation WHERE id = 1");
  return q.Next() ? q.Int(0) : -1;
}

void BumpBy(Connection& c, int64_t n) {
  Query(c, "UPDATE data_generation SET generation = generation + ?1 WHERE id = 1", n).Send();
}

TEST(Send, LaterReadsSeeQueuedWritesInOrder) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = Generation(c);
  c.Begin();
  int64_t executed = c.statements_executed();
  BumpBy(c, 1);
  BumpBy(c, 10);
  BumpBy(c, 100);
  EXPECT_EQ(Generation(c), before + 111);
  EXPECT_EQ(c.statements_executed() - executed, 4);
  c.Commit();
  EXPECT_EQ(Generation(c), before + 111);
}

TEST(Send, FailureIsRaisedByTheSavepointAndUndoneByItsRollback) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = Generation(c);
  c.Begin();
  OpenSavepoint(c);
  BumpBy(c, 1);
  EXPECT_THROW(
      {
        // The primary key is taken: fails now (SQLite) or at the release (PostgreSQL).
        Query(c, "INSERT INTO data_generation (id, generation) VALUES (1, 0)").Send();
        BumpBy(c, 1000);
        ReleaseSavepoint(c);
      },
      DbError);
  RollbackToSavepoint(c);
  OpenSavepoint(c);
  BumpBy(c, 2);
  ReleaseSavepoint(c);
  BumpBy(c, 3);
  c.Commit();
  EXPECT_EQ(Generation(c), before + 5);
}

TEST(Send, FailureBeforeARollbackOfTheTransactionIsNotRaised) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = Generation(c);
  c.Begin();
  BumpBy(c, 7);
  try {
    Query(c, "INSERT INTO data_generation (id, generation) VALUES (1, 0)").Send();
  } catch (const DbError&) {  // SQLite raises it at once
  }
  EXPECT_NO_THROW(c.Rollback());
  EXPECT_EQ(Generation(c), before);
}

TEST(Send, OutsideATransactionIsAppliedAndCheckedAtOnce) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = Generation(c);
  BumpBy(c, 4);
  EXPECT_EQ(Generation(c), before + 4);
  EXPECT_THROW(Query(c, "INSERT INTO data_generation (id, generation) VALUES (1, 0)").Send(), DbError);
  EXPECT_EQ(Generation(c), before + 4);
}

TEST(Send, CommitRaisesAQueuedFailureAndStoresNothing) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = Generation(c);
  bool raised = false;
  try {
    c.Begin();
    BumpBy(c, 9);
    Query(c, "INSERT INTO data_generation (id, generation) VALUES (1, 0)").Send();
    c.Commit();
  } catch (const DbError&) {
    raised = true;
    c.Rollback();
  }
  EXPECT_TRUE(raised);
  EXPECT_EQ(Generation(c), before);
}

}  // namespace
}  // namespace pb::db
