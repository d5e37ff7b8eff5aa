// Connection::Listen / WaitForNotification on SQLite: a committed write
// transaction of another connection wakes the listener (the event hub
// relies on it to learn of commits without polling); a rolled back one does
// not. PostgreSQL's NOTIFY is exercised end to end by
// tests/integration/event_stream.py.
#include <gtest/gtest.h>

#include "db/connection.h"
#include "test_util.h"

namespace pb::db {
namespace {

void Bump(Connection& c) {
  Query(c, "UPDATE data_generation SET generation = generation + 1 WHERE id = 1").Run();
}

TEST(CommitNotification, SqliteCommitWakesAListenerOfAnotherConnection) {
  testing::TempDb t;
  if (t.postgres()) GTEST_SKIP() << "SQLite's signal; NOTIFY is tested end to end";
  auto writer = Open(t.url());
  Query(*writer, "SELECT generation FROM data_generation").Next();
  auto listener = Open(t.url());
  ASSERT_TRUE(listener->Listen("patchbay_events"));
  // Opening a WAL may itself change its attributes (SQLite chowns it when
  // running as root): a spurious wake-up costs the hub one look. Start
  // from a quiet watch.
  listener->WaitForNotification(0);
  EXPECT_FALSE(listener->WaitForNotification(0));

  writer->Begin();
  Bump(*writer);
  writer->Rollback();
  EXPECT_FALSE(listener->WaitForNotification(0)) << "a rollback made nothing to see";

  writer->Begin();
  Bump(*writer);
  writer->Commit();
  // The signal is sent before Commit returns; the wait is only a deadline.
  EXPECT_TRUE(listener->WaitForNotification(10000));
  EXPECT_FALSE(listener->WaitForNotification(0)) << "one commit, one wake-up";

  // Two commits before the listener looks: at least one wake-up, then quiet.
  for (int i = 0; i < 2; ++i) {
    writer->Begin();
    Bump(*writer);
    writer->Commit();
  }
  EXPECT_TRUE(listener->WaitForNotification(10000));
  EXPECT_FALSE(listener->WaitForNotification(0));
}

}  // namespace
}  // namespace pb::db
