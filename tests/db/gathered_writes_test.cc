// Connection::GatherWrites on SQLite (db/sqlite/coalescing_vfs.h): while a
// bulk load gathers its WAL frames and checkpoint copies into fewer writes,
// another connection sees exactly what was committed, at each COMMIT and
// across checkpoints, and the file stays intact.
#include <gtest/gtest.h>

#include <string>

#include "db/bulk_load.h"
#include "db/connection.h"
#include "test_util.h"

namespace pb::db {
namespace {

// Rows and bytes another connection sees in the scratch table.
std::pair<int64_t, int64_t> Seen(Connection& c) {
  Query q(c, "SELECT COUNT(*), COALESCE(SUM(LENGTH(v)), 0) FROM gathered");
  q.Next();
  return {q.Int(0), q.Int(1)};
}

void Insert(Connection& c, int from, int n) {
  for (int i = from; i < from + n; ++i) {
    // Texts of a few KB, as mails are: many pages, overflow chains, and
    // transactions far larger than one gathered write (128 KB).
    std::string v(1000 + (i * 7919) % 6000, static_cast<char>('a' + i % 26));
    Query(c, "INSERT INTO gathered (id, v) VALUES (?1, ?2)", i, v).Run();
  }
}

TEST(GatheredWrites, AnotherConnectionSeesEachCommitAndNothingElse) {
  testing::TempDb t;
  if (t.postgres()) GTEST_SKIP() << "a SQLite VFS";
  auto writer = Open(t.url());
  writer->ExecScript("CREATE TABLE gathered (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  auto reader = Open(t.url());
  SetBulkLoad(*writer, true);

  int64_t rows = 0, bytes = 0;
  auto expect = [&](int from, int n) {
    for (int i = from; i < from + n; ++i) {
      ++rows;
      bytes += 1000 + (i * 7919) % 6000;
    }
  };
  for (int batch = 0; batch < 6; ++batch) {
    writer->Begin();
    Insert(*writer, batch * 300, 300);
    // Not committed: the reader still sees the last commit only.
    EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes)) << "batch " << batch;
    writer->Commit();
    expect(batch * 300, 300);
    EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes)) << "batch " << batch;
    if (batch == 2) {
      // A checkpoint while gathering: its page copies are gathered too, and
      // a reader then reads the copied pages from the database file.
      writer->ExecScript("PRAGMA wal_checkpoint(PASSIVE)");
      auto fresh = Open(t.url());
      EXPECT_EQ(Seen(*fresh), std::make_pair(rows, bytes));
    }
  }
  writer->Begin();
  Insert(*writer, 10000, 50);
  writer->Rollback();
  EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes)) << "a rollback shows nothing";

  // A reader inside a snapshot keeps it across the writer's commits.
  reader->BeginRead();
  EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes));
  writer->Begin();
  Insert(*writer, 20000, 100);
  writer->Commit();
  EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes));
  reader->EndRead();
  expect(20000, 100);
  EXPECT_EQ(Seen(*reader), std::make_pair(rows, bytes));

  SetBulkLoad(*writer, false);  // checkpoints, then writes straight through
  writer->Begin();
  Insert(*writer, 30000, 10);
  writer->Commit();
  expect(30000, 10);
  writer.reset();
  auto fresh = Open(t.url());
  EXPECT_EQ(Seen(*fresh), std::make_pair(rows, bytes));
  Query q(*fresh, "PRAGMA integrity_check");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Str(0), "ok");
}

std::string JournalMode(Connection& c) {
  Query q(c, "PRAGMA journal_mode");
  q.Next();
  return q.Str(0);
}

// Alone on its database, a bulk load runs with a rollback journal whose
// records are gathered too: pages a small cache spills before the commit
// reach the file only after the journal's copy of them, and a ROLLBACK reads
// the gathered records back and restores every page.
TEST(GatheredWrites, RollbackJournalKeepsCommitsAndUndoesRollbacks) {
  testing::TempDb t;
  if (t.postgres()) GTEST_SKIP() << "a SQLite VFS";
  // The test database's own connection is the only one.
  Connection* writer = &t.conn();
  writer->ExecScript("CREATE TABLE gathered (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  SetBulkLoad(*writer, true);
  ASSERT_EQ(JournalMode(*writer), "persist");
  writer->ExecScript("PRAGMA cache_size=50");

  int64_t rows = 0, bytes = 0;
  for (int batch = 0; batch < 4; ++batch) {
    writer->Begin();
    Insert(*writer, batch * 300, 300);
    writer->Commit();
    for (int i = batch * 300; i < batch * 300 + 300; ++i) {
      ++rows;
      bytes += 1000 + (i * 7919) % 6000;
    }
    EXPECT_EQ(Seen(*writer), std::make_pair(rows, bytes)) << "batch " << batch;
  }
  auto first = [&] {
    Query q(*writer, "SELECT v FROM gathered WHERE id = 5");
    q.Next();
    return q.Str(0);
  };
  const std::string before = first();
  writer->Begin();
  Query(*writer, "UPDATE gathered SET v = upper(v)").Run();
  Insert(*writer, 10000, 300);
  writer->Rollback();
  EXPECT_EQ(Seen(*writer), std::make_pair(rows, bytes)) << "the rollback restored every page";
  EXPECT_EQ(first(), before);

  SetBulkLoad(*writer, false);
  EXPECT_EQ(JournalMode(*writer), "wal");
  auto fresh = Open(t.url());
  EXPECT_EQ(Seen(*fresh), std::make_pair(rows, bytes));
  Query q(*fresh, "PRAGMA integrity_check");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Str(0), "ok");
}

}  // namespace
}  // namespace pb::db
