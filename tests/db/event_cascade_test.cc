// Deleting any parent of an event, or of the other rows an ingest writes,
// does what the foreign keys' ON DELETE CASCADE / SET NULL did. On SQLite
// the keys still do it; on PostgreSQL migrations 18 and 19 replaced them by
// statement-level AFTER DELETE triggers on the parents
// (db::TriggerKeptKeys). The same expectations run on both backends
// (PATCHBAY_TEST_DATABASE), so they hold the triggers to the keys'
// behaviour, cascades of cascades included (a patch's comments and checks
// go with it, and their events with them).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "db/admin.h"
#include "db/connection.h"
#include "db/import/upstream_tables.h"
#include "db/migrations.h"
#include "test_util.h"

namespace pb::db {
namespace {

// One event per key, each naming only that parent besides its project, so
// a deletion's effect on each key is seen alone.
enum Ev {
  kProjectOnly = 1,   // project 1
  kPatchA,            // patch A (in series R, comment PC, check K)
  kPatchB,            // patch B (no series)
  kSeries,            // series R
  kCover,             // cover C (R's cover letter)
  kPatchComment,      // PC on A
  kCoverComment,      // CC on C
  kStates,            // previous state 5, current state 6
  kDelegate,          // current delegate: user 2
  kRelation,          // relation 1
  kCheck,             // check K on A, by user 1
  kActor,             // actor: user 1, project 2
  kOtherProject,      // project 2 only
};
constexpr int kEvents = kOtherProject;

class EventCascade : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = t_.conn();
    auto run = [&](const char* sql) { Query(c, sql).Run(); };
    run("INSERT INTO users (id, username, email, date_joined) VALUES (1, 'actor', 'a@x', 0)");
    run("INSERT INTO users (id, username, email, date_joined) VALUES (2, 'delegate', 'd@x', 0)");
    run("INSERT INTO projects (id, linkname, name, listid, listemail) VALUES (1, 'p1', 'P1', 'l1', 'e1')");
    run("INSERT INTO projects (id, linkname, name, listid, listemail) VALUES (2, 'p2', 'P2', 'l2', 'e2')");
    run("INSERT INTO people (id, email) VALUES (1, 's@x')");
    run("INSERT INTO people (id, email) VALUES (2, 't@x')");
    run("INSERT INTO covers (id, project_id, msgid, name, date, submitter_id) VALUES (1, 1, '<c>', 'C', 0, 1)");
    run("INSERT INTO series (id, project_id, cover_letter_id, name, date, submitter_id, total)"
        " VALUES (1, 1, 1, 'R', 0, 1, 2)");
    run("INSERT INTO patch_relations (id) VALUES (1)");
    // A by person 1 in series R; B by person 2, alone.
    run("INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, series_id, number,"
        " related_id) VALUES (1, 1, '<a>', 'A', 0, 1, 1, 1, 1, 1)");
    run("INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id)"
        " VALUES (2, 1, '<b>', 'B', 0, 2, 1)");
    run("INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id) VALUES (1, 1, '<pc>', 0, 2)");
    run("INSERT INTO cover_comments (id, cover_id, msgid, date, submitter_id) VALUES (1, 1, '<cc>', 0, 2)");
    run("INSERT INTO checks (id, patch_id, user_id, date) VALUES (1, 1, 1, 0)");
    run("INSERT INTO series_references (id, project_id, series_id, msgid) VALUES (1, 1, 1, '<a>')");
    run("INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (1, 1, 1)");
    run("INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (2, 1, 1)");
    Query(c, "INSERT INTO held_mails (id, project_id, msgid, held, raw) VALUES (1, 1, '<h>', 0, ?1)",
          Bytes{"raw"}).Run();
    Query(c, "INSERT INTO held_mails (id, project_id, msgid, held, raw) VALUES (2, 2, '<h>', 0, ?1)",
          Bytes{"raw"}).Run();
    run("INSERT INTO held_mail_refs (held_id, project_id, msgid, position) VALUES (1, 1, '<z>', 0)");
    run("INSERT INTO held_mail_refs (held_id, project_id, msgid, position) VALUES (2, 2, '<z>', 0)");
    run("INSERT INTO comment_refs (project_id, msgid, comment_msgid) VALUES (1, '<z>', '<pc>')");
    run("INSERT INTO comment_refs (project_id, msgid, comment_msgid) VALUES (2, '<z>', '<pc>')");
    auto event = [&](int id, int project, const std::string& column, int value) {
      std::string sql = "INSERT INTO events (id, project_id, category, date" +
                        (column.empty() ? "" : ", " + column) + ") VALUES (?1, ?2, 'c', 0" +
                        (column.empty() ? "" : ", ?3") + ")";
      if (column.empty()) {
        Query(c, sql, id, project).Run();
      } else {
        Query(c, sql, id, project, value).Run();
      }
    };
    event(kProjectOnly, 1, "", 0);
    event(kPatchA, 1, "patch_id", 1);
    event(kPatchB, 1, "patch_id", 2);
    event(kSeries, 1, "series_id", 1);
    event(kCover, 1, "cover_id", 1);
    event(kPatchComment, 1, "patch_comment_id", 1);
    event(kCoverComment, 1, "cover_comment_id", 1);
    Query(c, "INSERT INTO events (id, project_id, category, date, previous_state_id, current_state_id)"
             " VALUES (?1, 1, 'c', 0, 5, 6)", static_cast<int>(kStates)).Run();
    event(kDelegate, 1, "current_delegate_id", 2);
    event(kRelation, 1, "current_relation_id", 1);
    event(kCheck, 1, "created_check_id", 1);
    event(kActor, 2, "actor_id", 1);
    event(kOtherProject, 2, "", 0);
  }

  void Delete(const std::string& sql) { Query(t_.conn(), sql).Run(); }

  // The events left, each with its actor (0 for none).
  std::map<int, int> Left() {
    std::map<int, int> out;
    Query q(t_.conn(), "SELECT id, COALESCE(actor_id, 0) FROM events ORDER BY id");
    while (q.Next()) out[static_cast<int>(q.Int(0))] = static_cast<int>(q.Int(1));
    return out;
  }

  // The other rows, by table: ids, or for tables without one the first key.
  std::string Rows() {
    std::string out;
    for (const char* sql :
         {"SELECT 'patches', id FROM patches", "SELECT 'covers', id FROM covers",
          "SELECT 'series', id FROM series", "SELECT 'series_references', id FROM series_references",
          "SELECT 'patch_comments', id FROM patch_comments",
          "SELECT 'cover_comments', id FROM cover_comments", "SELECT 'patch_tags', patch_id FROM patch_tags",
          "SELECT 'held_mails', id FROM held_mails", "SELECT 'held_mail_refs', held_id FROM held_mail_refs",
          "SELECT 'comment_refs', project_id FROM comment_refs", "SELECT 'checks', id FROM checks",
          "SELECT 'people', id FROM people", "SELECT 'projects', id FROM projects"}) {
      Query q(t_.conn(), std::string(sql) + " ORDER BY 2");
      while (q.Next()) out += q.Str(0) + ":" + std::to_string(q.Int(1)) + " ";
    }
    return out;
  }
  static constexpr const char* kAllRows =
      "patches:1 patches:2 covers:1 series:1 series_references:1 patch_comments:1 cover_comments:1 "
      "patch_tags:1 patch_tags:2 held_mails:1 held_mails:2 held_mail_refs:1 held_mail_refs:2 "
      "comment_refs:1 comment_refs:2 checks:1 people:1 people:2 projects:1 projects:2 ";

  // Every event but `gone`, the actor's still named.
  static std::map<int, int> AllBut(const std::vector<int>& gone, bool actor_kept = true) {
    std::map<int, int> out;
    for (int e = 1; e <= kEvents; ++e) {
      if (std::find(gone.begin(), gone.end(), e) == gone.end()) out[e] = 0;
    }
    if (out.count(kActor)) out[kActor] = actor_kept ? 1 : 0;
    return out;
  }

  ::pb::testing::TempDb t_;
};

TEST_F(EventCascade, NothingDeletedKeepsAll) {
  EXPECT_EQ(Left(), AllBut({}));
  EXPECT_EQ(Rows(), kAllRows);
}

TEST_F(EventCascade, ProjectTakesAllItsEvents) {
  Delete("DELETE FROM projects WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kProjectOnly, kPatchA, kPatchB, kSeries, kCover, kPatchComment, kCoverComment,
                            kStates, kDelegate, kRelation, kCheck}));
  EXPECT_EQ(Rows(), "held_mails:2 held_mail_refs:2 comment_refs:2 people:1 people:2 projects:2 ");
}

TEST_F(EventCascade, PatchTakesItsCommentsAndChecksEvents) {
  Delete("DELETE FROM patches WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kPatchA, kPatchComment, kCheck}));
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT COUNT(*) FROM patch_relations"), 1);
  EXPECT_EQ(Rows(),
            "patches:2 covers:1 series:1 series_references:1 cover_comments:1 patch_tags:2 held_mails:1 "
            "held_mails:2 held_mail_refs:1 held_mail_refs:2 comment_refs:1 comment_refs:2 people:1 "
            "people:2 projects:1 projects:2 ");
}

TEST_F(EventCascade, PatchCommentAndCoverComment) {
  Delete("DELETE FROM patch_comments WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kPatchComment}));
  Delete("DELETE FROM cover_comments WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kPatchComment, kCoverComment}));
}

TEST_F(EventCascade, SeriesTakesItsPatches) {
  Delete("DELETE FROM series WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kSeries, kPatchA, kPatchComment, kCheck}));
  EXPECT_EQ(Rows(),
            "patches:2 covers:1 cover_comments:1 patch_tags:2 held_mails:1 held_mails:2 held_mail_refs:1 "
            "held_mail_refs:2 comment_refs:1 comment_refs:2 people:1 people:2 projects:1 projects:2 ");
}

TEST_F(EventCascade, AdminDeleteSeriesTakesItsCover) {
  EXPECT_EQ(DeleteSeries(t_.conn(), 1), 1);
  EXPECT_EQ(Left(), AllBut({kSeries, kPatchA, kPatchComment, kCheck, kCover, kCoverComment}));
}

// The series' cover_letter_id cascades too: a raw delete of the cover takes
// its series and the series' patches.
TEST_F(EventCascade, CoverTakesItsSeries) {
  Delete("DELETE FROM covers WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kCover, kCoverComment, kSeries, kPatchA, kPatchComment, kCheck}));
  EXPECT_EQ(Rows(),
            "patches:2 patch_tags:2 held_mails:1 held_mails:2 held_mail_refs:1 held_mail_refs:2 "
            "comment_refs:1 comment_refs:2 people:1 people:2 projects:1 projects:2 ");
}

TEST_F(EventCascade, AdminDeleteCoverKeepsItsSeries) {
  DeleteCover(t_.conn(), 1);
  EXPECT_EQ(Left(), AllBut({kCover, kCoverComment}));
}

TEST_F(EventCascade, PersonTakesWhatTheySubmitted) {
  Delete("DELETE FROM people WHERE id = 2");  // B and both comments
  EXPECT_EQ(Left(), AllBut({kPatchB, kPatchComment, kCoverComment}));
  EXPECT_EQ(Rows(),
            "patches:1 covers:1 series:1 series_references:1 patch_tags:1 held_mails:1 held_mails:2 "
            "held_mail_refs:1 held_mail_refs:2 comment_refs:1 comment_refs:2 checks:1 people:1 "
            "projects:1 projects:2 ");
  Delete("DELETE FROM people WHERE id = 1");  // the cover, series R, patch A
  EXPECT_EQ(Left(), AllBut({kPatchB, kPatchComment, kCoverComment, kCover, kSeries, kPatchA, kCheck}));
  EXPECT_EQ(Rows(),
            "held_mails:1 held_mails:2 held_mail_refs:1 held_mail_refs:2 comment_refs:1 comment_refs:2 "
            "projects:1 projects:2 ");
}

TEST_F(EventCascade, StateTakesTheEventsNamingIt) {
  Delete("DELETE FROM states WHERE id = 5");
  EXPECT_EQ(Left(), AllBut({kStates}));
  // A patch's state cascades to the patch.
  Delete("DELETE FROM states WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kStates, kPatchA, kPatchB, kPatchComment, kCheck}));
}

TEST_F(EventCascade, UserAsActorIsForgottenAsDelegateTakesTheEvent) {
  Delete("DELETE FROM users WHERE id = 1");  // the actor, and the check's author
  EXPECT_EQ(Left(), AllBut({kCheck}, /*actor_kept=*/false));
  Delete("DELETE FROM users WHERE id = 2");
  EXPECT_EQ(Left(), AllBut({kCheck, kDelegate}, /*actor_kept=*/false));
}

TEST_F(EventCascade, AdminDeleteUserKeepsDelegateHistory) {
  DeleteUser(t_.conn(), 2);
  EXPECT_EQ(Left(), AllBut({}));
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT COUNT(*) FROM events WHERE current_delegate_id IS NOT NULL"), 0);
}

TEST_F(EventCascade, RelationAndCheck) {
  Delete("DELETE FROM patch_relations WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kRelation}));
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT COUNT(*) FROM patches WHERE related_id IS NULL"), 2);
  Delete("DELETE FROM checks WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({kRelation, kCheck}));
}

// Several parents in one statement: the trigger sees them all.
TEST_F(EventCascade, ManyRowsInOneStatement) {
  Delete("DELETE FROM patches WHERE project_id = 1");
  EXPECT_EQ(Left(), AllBut({kPatchA, kPatchB, kPatchComment, kCheck}));
  EXPECT_EQ(Rows(),
            "covers:1 series:1 series_references:1 cover_comments:1 held_mails:1 held_mails:2 "
            "held_mail_refs:1 held_mail_refs:2 comment_refs:1 comment_refs:2 people:1 people:2 "
            "projects:1 projects:2 ");
}

// A held mail's references go with it (db::ExpireHeldMails, attaching).
TEST_F(EventCascade, HeldMailTakesItsReferences) {
  Delete("DELETE FROM held_mails WHERE id = 1");
  EXPECT_EQ(Left(), AllBut({}));
  EXPECT_EQ(Rows(),
            "patches:1 patches:2 covers:1 series:1 series_references:1 patch_comments:1 cover_comments:1 "
            "patch_tags:1 patch_tags:2 held_mails:2 held_mail_refs:2 comment_refs:1 comment_refs:2 "
            "checks:1 people:1 people:2 projects:1 projects:2 ");
}

TEST_F(EventCascade, RolledBackDeleteKeepsEvents) {
  {
    Transaction tx(t_.conn());
    Delete("DELETE FROM projects WHERE id = 1");
  }
  EXPECT_EQ(Left(), AllBut({}));
  EXPECT_EQ(Rows(), kAllRows);
}

// Nothing checks a trigger-kept key on insert, so `patchbay import`, which
// writes these tables with upstream's ids, checks them itself once its rows
// are in (db::import::RestoreIndexes), as adding a foreign key back did.
TEST(TriggerKeptKeys, ImportFailsOnARowWithoutItsParent) {
  ::pb::testing::TempDb t;
  auto& c = t.conn();
  if (c.dialect() != Dialect::kPostgres) GTEST_SKIP() << "SQLite keeps these keys as foreign keys";
  Query(c, "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES (1, 'p', 'P', 'l', 'e')").Run();
  Query(c, "INSERT INTO people (id, email) VALUES (1, 's@x')").Run();
  Query(c, "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id)"
           " VALUES (1, 1, '<a>', 'A', 0, 1, 1)").Run();
  EXPECT_EQ(import::RestoreIndexes(c), 0);  // nothing pending, every key holds
  // No patch 2: accepted on insert, found by the import's check.
  Query(c, "INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id) VALUES (1, 2, '<c>', 0, 1)").Run();
  try {
    import::RestoreIndexes(c);
    ADD_FAILURE() << "an orphan comment passed the import's check";
  } catch (const DbError& e) {
    EXPECT_EQ(std::string(e.what()), "1 rows of patch_comments have a patch_id that is no id of patches");
  }
}

// Each key of the list is one the migrations dropped: none is still a
// foreign key on PostgreSQL (else the list would check it twice and the
// trigger delete what the constraint deletes).
TEST(TriggerKeptKeys, NoneIsAForeignKeyOnPostgres) {
  ::pb::testing::TempDb t;
  auto& c = t.conn();
  if (c.dialect() != Dialect::kPostgres) GTEST_SKIP() << "SQLite keeps these keys as foreign keys";
  for (const TriggerKey& k : TriggerKeptKeys()) {
    EXPECT_EQ(QueryInt(c,
                       "SELECT COUNT(*) FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid"
                       " AND a.attnum = k.conkey[1] WHERE k.contype = 'f' AND k.conrelid = ?1::regclass"
                       " AND a.attname = ?2",
                       std::string(k.table), std::string(k.column)),
              0)
        << k.table << "." << k.column;
  }
}

}  // namespace
}  // namespace pb::db
