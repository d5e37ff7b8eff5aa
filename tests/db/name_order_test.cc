// The list's orders by submitter name and delegate username: a shallow page
// walks the names in chunks (patches_read.cc); it must give exactly the rows
// of the full sort, ties and NULLs included, on either backend.
#include <gtest/gtest.h>

#include <random>

#include "db/connection.h"
#include "db/read/patches_read.h"
#include "test_util.h"

namespace pb::db::read {
namespace {

class NameOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = db_.conn();
    c.ExecScript(
        "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
        "(1, 'proj', 'Project', 'proj.example.com', 'proj@example.com');");
    std::mt19937 rng(7);
    // 70 people over 6 names and NULL (ties across chunk boundaries), 25
    // users, 400 patches; dates tie too.
    const char* names[] = {"Ann", "Bob", "Cy", "Dee", "ann", "Zed"};
    for (int i = 1; i <= 70; ++i) {
      std::optional<std::string> name;
      if (i % 11 != 0) name = names[rng() % 6];
      Query(c, "INSERT INTO people (id, email, name) VALUES (?1, ?2, ?3)", i,
            "p" + std::to_string(i) + "@example.com", name)
          .Run();
    }
    for (int i = 1; i <= 25; ++i) {
      Query(c, "INSERT INTO users (id, username, email, date_joined) VALUES (?1, ?2, '', 0)", i,
            "u" + std::to_string((i * 7) % 25))
          .Run();
    }
    for (int i = 1; i <= 400; ++i) {
      std::optional<int64_t> delegate;
      if (rng() % 3 == 0) delegate = 1 + rng() % 25;
      Query(c,
            "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, "
            "delegate_id, headers, content, diff) VALUES (?1, 1, ?2, 'p', ?3, ?4, ?5, ?6, '', '', '')",
            i, "<m" + std::to_string(i) + "@h>", int64_t(rng() % 50), int64_t(1 + rng() % 70),
            int64_t(1 + rng() % 3), delegate)
          .Run();
    }
  }

  static std::vector<Id> Ids(const std::vector<PatchRec>& rows) {
    std::vector<Id> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  }

  pb::testing::TempDb db_;
};

TEST_F(NameOrder, ShallowPagesMatchTheFullSort) {
  auto& c = db_.conn();
  std::vector<PatchFilter> filters(6);
  filters[1].states = std::vector<Id>{2};
  filters[2].submitters = std::vector<Id>{3, 11, 40, 41, 69};
  filters[3].delegates = std::vector<Id>{4, 9};
  filters[4].no_delegate = true;
  filters[5].archived = false;
  int checked = 0;
  for (auto key : {PatchOrder::kSubmitterName, PatchOrder::kDelegateName}) {
    for (bool desc : {false, true}) {
      for (auto f : filters) {
        f.projects = std::vector<Id>{1};
        f.order = {{key, desc}, {PatchOrder::kDate, true}};
        // More than the walk's bound: the full sort in SQL.
        auto all = Ids(ListPatches(c, f, 1001, 0));
        for (auto [limit, offset] : std::vector<std::pair<int64_t, int64_t>>{{10, 0}, {100, 0}, {7, 33}, {50, 350}, {100, 400}}) {
          auto page = Ids(ListPatches(c, f, limit, offset));
          std::vector<Id> want;
          for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(all.size()); ++i) {
            want.push_back(all[i]);
          }
          EXPECT_EQ(page, want) << "order " << static_cast<int>(key) << (desc ? " desc" : "")
                                << " limit " << limit << " offset " << offset;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 2 * 2 * 6 * 5);
}

}  // namespace
}  // namespace pb::db::read
