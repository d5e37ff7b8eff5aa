// The maintainer pages cost a constant number of statements: the same for
// 5 rows as for 60, for 1 comment as for 30 (no statement per row).
#include <gtest/gtest.h>

#include "http_request.h"
#include "db/connection.h"
#include "test_util.h"
#include "web/pages.h"
#include "web/visitor.h"

namespace pb::web {
namespace {

class PageStatements : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.conn().ExecScript(
        "INSERT INTO users (id, username, email, date_joined) VALUES (1, 'maria', 'm@example.com', 0);"
        "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
        "(1, 'proj', 'Project', 'proj.example.com', 'proj@example.com');"
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);"
        "INSERT INTO people (id, email, name) VALUES (1, 'a@example.com', 'Ann');"
        "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
        "(1, 1, 'S', 0, 1, 1, 3);");
    conn_ = db::Open(db_.url());
  }
  void AddPatches(int from, int to) {
    for (int i = from; i <= to; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, "
                "series_id, delegate_id, headers, content, diff) VALUES (?1, 1, ?2, ?3, ?4, 1, 1, 1, 1, "
                "'Subject: x', 'body', '+a')",
                i, "<m" + std::to_string(i) + "@h>", "patch " + std::to_string(i), int64_t{1000000} * i)
          .Run();
      db::Query(db_.conn(),
                "INSERT INTO checks (patch_id, user_id, date, state, context) VALUES (?1, 1, 0, ?2, 'ci')",
                i, i % 4)
          .Run();
      db::Query(db_.conn(), "INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (?1, 1, 1)", i).Run();
    }
    Bump();
  }
  void AddComments(int patch, int n) {
    for (int i = 0; i < n; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patch_comments (patch_id, msgid, date, submitter_id, content) "
                "VALUES (?1, ?2, ?3, 1, 'Acked-by: Ann <a@example.com>')",
                patch, "<c" + std::to_string(patch) + "-" + std::to_string(i) + "@h>", int64_t{i})
          .Run();
    }
    Bump();
  }
  void Bump() { db_.conn().ExecScript("UPDATE data_generation SET generation = generation + 1"); }

  // Statements one GET of `target` costs, after a first request warmed the
  // per-thread caches (catalog, tags, counts).
  int64_t Cost(const std::string& target) {
    http::Request r = pb::testing::TestRequest("GET", target);
    {
      Visitor v(*conn_, r);
      auto first = HandlePage(*conn_, state_, v, r);
      EXPECT_TRUE(first && first->status == 200) << target;
    }
    int64_t before = conn_->statements_executed();
    Visitor v(*conn_, r);
    auto again = HandlePage(*conn_, state_, v, r);
    EXPECT_TRUE(again && again->status == 200) << target;
    return conn_->statements_executed() - before;
  }

  testing::TempDb db_;
  std::unique_ptr<db::Connection> conn_;
  PageState state_;
};

TEST_F(PageStatements, ListCostsTheSameForAnyNumberOfRows) {
  AddPatches(1, 5);
  int64_t few = Cost("/project/proj/list/");
  AddPatches(6, 60);
  int64_t many = Cost("/project/proj/list/");
  EXPECT_EQ(few, many);
  EXPECT_LE(many, 8);
  EXPECT_EQ(Cost("/project/proj/list/?order=-submitter&delegate=1"),
            Cost("/project/proj/list/?order=submitter&delegate=1"));
}

TEST_F(PageStatements, PatchPageCostsTheSameForAnyNumberOfComments) {
  AddPatches(1, 2);
  AddComments(1, 1);
  AddComments(2, 30);
  EXPECT_EQ(Cost("/project/proj/patch/m1@h/"), Cost("/project/proj/patch/m2@h/"));
  EXPECT_LE(Cost("/project/proj/patch/m2@h/"), 12);
}

}  // namespace
}  // namespace pb::web
