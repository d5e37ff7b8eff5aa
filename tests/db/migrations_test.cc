#include "db/migrations.h"

#include <gtest/gtest.h>

#include "db/connection.h"
#include "test_util.h"

namespace pb::db {
namespace {

TEST(Migrations, FreshDatabaseReachesLatestVersion) {
  testing::TempDb t;
  EXPECT_EQ(CurrentSchemaVersion(t.conn()), LatestSchemaVersion());
}

TEST(Migrations, SecondRunAppliesNothing) {
  testing::TempDb t;
  auto again = Migrate(t.conn());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

// A row given an explicit id past the others moves the next default id past
// it (SQLite by itself; PostgreSQL through migration 8's trigger); a row
// below keeps the sequence where it is.
TEST(Migrations, ExplicitIdsMoveTheNextDefaultId) {
  testing::TempDb t;
  auto& c = t.conn();
  Query(c, "INSERT INTO people (email) VALUES ('a@b.c')").Run();
  int64_t first = QueryInt(c, "SELECT MAX(id) FROM people").value();
  Query(c, "INSERT INTO people (id, email) VALUES (?1, 'b@b.c')", first + 100).Run();
  Query(c, "INSERT INTO people (email) VALUES ('c@b.c')").Run();
  EXPECT_EQ(QueryInt(c, "SELECT id FROM people WHERE email = 'c@b.c'"), first + 101);
  Query(c, "INSERT INTO people (id, email) VALUES (?1, 'd@b.c')", first + 50).Run();
  Query(c, "INSERT INTO people (email) VALUES ('e@b.c')").Run();
  EXPECT_EQ(QueryInt(c, "SELECT id FROM people WHERE email = 'e@b.c'"), first + 102);
}

// The same for events, whose ids PostgreSQL follows once per statement
// (migration 23): explicit ids in one statement of several rows, then
// default ones.
TEST(Migrations, ExplicitEventIdsMoveTheNextDefaultId) {
  testing::TempDb t;
  auto& c = t.conn();
  Query(c, "INSERT INTO projects (linkname, name, listid, listemail) VALUES ('p', 'P', 'l', 'e')").Run();
  const char* by_default = "INSERT INTO events (project_id, category, date) VALUES (1, 'x', 0)";
  Query(c, by_default).Run();
  int64_t first = QueryInt(c, "SELECT MAX(id) FROM events").value();
  Query(c, "INSERT INTO events (id, project_id, category, date) VALUES (?1, 1, 'x', 0), (?2, 1, 'x', 0)",
        first + 100, first + 70)
      .Run();
  Query(c, by_default).Run();
  EXPECT_EQ(QueryInt(c, "SELECT MAX(id) FROM events"), first + 101);
  Query(c, "INSERT INTO events (id, project_id, category, date) VALUES (?1, 1, 'x', 0)", first + 50).Run();
  Query(c, by_default).Run();
  EXPECT_EQ(QueryInt(c, "SELECT MAX(id) FROM events"), first + 102);
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM events"), 6);
}

TEST(Migrations, DefaultStatesAndTagsMatchUpstreamFixtures) {
  testing::TempDb t;
  Query q(t.conn(), "SELECT id, slug, ordering, action_required FROM states ORDER BY id");
  std::vector<std::string> slugs;
  while (q.Next()) slugs.push_back(q.Str(1));
  EXPECT_EQ(slugs, (std::vector<std::string>{"new", "under-review", "accepted", "rejected", "rfc",
                                             "not-applicable", "changes-requested",
                                             "awaiting-upstream", "superseded", "deferred"}));
  EXPECT_EQ(QueryInt(t.conn(), "SELECT id FROM states WHERE ordering = 0"), 1);
  EXPECT_EQ(QueryInt(t.conn(), "SELECT COUNT(*) FROM tags"), 3);
}

TEST(Migrations, UniqueMsgidPerProjectIsEnforced) {
  testing::TempDb t;
  auto& c = t.conn();
  Query(c, "INSERT INTO projects (linkname, name, listid, listemail) VALUES ('p', 'P', 'l', 'e')").Run();
  Query(c, "INSERT INTO people (email) VALUES ('a@b.c')").Run();
  const char* insert =
      "INSERT INTO patches (project_id, msgid, name, date, submitter_id, state_id) "
      "VALUES (1, '<x@y>', 'n', 0, 1, 1)";
  Query(c, insert).Run();
  EXPECT_THROW(Query(c, insert).Run(), DbError);
}

// Migration 23: on PostgreSQL a mail row up to 4,080 bytes is stored whole,
// so the ingest spends no lz4 work on it; a longer one is still compressed.
TEST(Migrations, MailRowsUpTo4KbStayUncompressedOnPostgres) {
  testing::TempDb t;
  auto& c = t.conn();
  if (c.dialect() != Dialect::kPostgres) GTEST_SKIP() << "SQLite does not compress";
  Query(c, "INSERT INTO projects (linkname, name, listid, listemail) VALUES ('p', 'P', 'l', 'e')").Run();
  Query(c, "INSERT INTO people (email) VALUES ('a@b.c')").Run();
  const std::string three_kb(3000, 'x'), thirty_kb(30000, 'x');
  const char* patch =
      "INSERT INTO patches (project_id, msgid, name, date, submitter_id, state_id, content) "
      "VALUES (1, ?1, 'n', 0, 1, 1, ?2)";
  Query(c, patch, "<small@x>", three_kb).Run();
  Query(c, patch, "<large@x>", thirty_kb).Run();
  const char* comment =
      "INSERT INTO patch_comments (patch_id, msgid, date, submitter_id, content) "
      "SELECT id, ?1, 0, 1, ?2 FROM patches WHERE msgid = '<small@x>'";
  Query(c, comment, "<c-small@x>", three_kb).Run();
  Query(c, comment, "<c-large@x>", thirty_kb).Run();
  // Only the 30 KB texts are compressed: one row in each table.
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM patches WHERE pg_column_compression(content) IS NOT NULL"), 1);
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM patches WHERE pg_column_compression(content) IS NOT NULL "
                        "AND msgid = '<large@x>'"),
            1);
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM patch_comments "
                        "WHERE pg_column_compression(content) IS NOT NULL"),
            1);
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM patch_comments "
                        "WHERE pg_column_compression(content) IS NOT NULL AND msgid = '<c-large@x>'"),
            1);
  EXPECT_EQ(QueryInt(c, "SELECT SUM(length(content)) FROM patches"), 33000);
  EXPECT_EQ(QueryInt(c, "SELECT SUM(length(content)) FROM patch_comments"), 33000);
}

TEST(Transaction, RollsBackWhenNotCommitted) {
  testing::TempDb t;
  auto& c = t.conn();
  {
    Transaction tx(c);
    Query(c, "INSERT INTO people (email) VALUES ('a@b.c')").Run();
  }
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM people"), 0);
}

TEST(Connection, CountsStatements) {
  testing::TempDb t;
  auto& c = t.conn();
  int64_t before = c.statements_executed();
  QueryInt(c, "SELECT 1");
  QueryInt(c, "SELECT 1");
  EXPECT_EQ(c.statements_executed() - before, 2);
}

TEST(Connection, BlobsKeepNulBytes) {
  testing::TempDb t;
  auto& c = t.conn();
  std::string raw("a\0b\xff", 4);
  Statement& st = c.Prepare(
      "INSERT INTO failed_mails (received, reason, raw) VALUES (0, 'x', ?1)");
  st.BindBlob(1, raw);
  st.Step();
  Query q(c, "SELECT raw FROM failed_mails");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Blob(0), raw);
}

}  // namespace
}  // namespace pb::db

namespace pb::db {
namespace {

TEST(Connection, StatementCacheStaysBoundedAndKeepsStatementsInUse) {
  testing::TempDb t;
  auto& c = t.conn();
  Query held(c, "SELECT ?1 + 0", 41);  // bound, not yet stepped
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(QueryInt(c, "SELECT " + std::to_string(i)), i);
  }
  ASSERT_TRUE(held.Next());
  EXPECT_EQ(held.Int(0), 41);
}

}  // namespace
}  // namespace pb::db
