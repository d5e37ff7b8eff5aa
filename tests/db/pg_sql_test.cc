#include "db/postgres/pg_sql.h"

#include <gtest/gtest.h>

#include "db/connection.h"
#include "test_util.h"

namespace pb::db {
namespace {

TEST(PgSql, NumberedPlaceholdersBecomeDollars) {
  auto s = TranslatePlaceholders("SELECT a FROM t WHERE b = ?1 AND c IN (?2,?3) LIMIT ?12");
  EXPECT_EQ(s.text, "SELECT a FROM t WHERE b = $1 AND c IN ($2,$3) LIMIT $12");
  EXPECT_EQ(s.params, 12);
}

TEST(PgSql, QuotesAndCommentsAreLeftAlone) {
  auto s = TranslatePlaceholders("SELECT '?1', \"x?2\", 'it''s ?3' -- ?4\n, ?5");
  EXPECT_EQ(s.text, "SELECT '?1', \"x?2\", 'it''s ?3' -- ?4\n, $5");
  EXPECT_EQ(s.params, 5);
}

// The same statements on whichever backend the suite runs on.
TEST(Backend, TypesRoundTrip) {
  testing::TempDb db;
  auto& c = db.conn();
  std::string raw("a\0b\xff", 4);
  // Query binds blobs as text: bind by hand.
  auto& st = c.Prepare("INSERT INTO failed_mails (received, msgid, reason, raw) VALUES (?1, ?2, ?3, ?4)");
  st.BindInt(1, int64_t{1} << 50);
  st.BindNull(2);
  st.BindText(3, "r");
  st.BindBlob(4, raw);
  while (st.Step()) {}
  EXPECT_EQ(st.Changes(), 1);
  st.Reset();
  Query q(c, "SELECT received, msgid, raw, resolved = 0, ?1 IS NULL FROM failed_mails", std::nullopt);
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Int(0), int64_t{1} << 50);
  EXPECT_TRUE(q.IsNull(1));
  EXPECT_EQ(q.Blob(2), raw);
  EXPECT_EQ(q.Int(3), 1);  // a boolean expression reads as 1 on both
  EXPECT_EQ(q.Int(4), 1);
  EXPECT_FALSE(q.Next());
}

TEST(Backend, UniqueViolationIsAConstraintError) {
  testing::TempDb db;
  auto& c = db.conn();
  Query(c, "INSERT INTO email_optouts (email) VALUES (?1)", "a@example.com").Run();
  try {
    Query(c, "INSERT INTO email_optouts (email) VALUES (?1)", "a@example.com").Run();
    FAIL() << "no error";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::kConstraint) << e.what();
  }
}

TEST(Backend, ExplicitIdsDoNotClashWithLaterRows) {
  testing::TempDb db;
  auto& c = db.conn();
  Query(c, "INSERT INTO email_confirmations (id, type, email, key, date) VALUES (41, 't', 'e', 'k', 0)").Run();
  auto id = QueryInt(c, "INSERT INTO email_confirmations (type, email, key, date) VALUES ('t', 'e', 'k', 0) "
                        "RETURNING id");
  EXPECT_EQ(id, 42);
}

}  // namespace
}  // namespace pb::db
