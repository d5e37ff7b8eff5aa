// Several patch details by one statement (GetPatchesAlone) and the
// per-thread batch that hands each request its row (DetailBatch): the rows
// GetPatchAlone reads one by one, a statement per batch, and never a row
// read before a request arrived. PostgreSQL only, like GetPatchAlone's
// statement (LATERAL, string_agg); the SQLite pass skips, and the HTTP
// test (tests/integration/concurrent_details.py) runs on both.
#include <gtest/gtest.h>

#include <algorithm>

#include "db/connection.h"
#include "db/read/detail_batch.h"
#include "db/read/patches_read.h"
#include "golden_state.h"
#include "test_util.h"

namespace pb::db::read {
namespace {

std::string Dump(const PatchAlone& a) {
  if (!a.patch) return "none";
  const PatchRec& p = *a.patch;
  std::string s = std::to_string(a.generation) + '|' + std::to_string(p.id) + '|' +
                  std::to_string(p.project_id) + '|' + p.msgid + '|' + p.name + '|' +
                  std::to_string(p.date) + '|' + p.commit_ref.value_or("-") + '|' +
                  p.pull_url.value_or("-") + '|' + p.hash.value_or("-") + '|' +
                  std::to_string(p.archived) + '|' + std::to_string(p.state_id) + '|' +
                  std::to_string(p.submitter.id) + p.submitter.name.value_or("-") + p.submitter.email +
                  '|' + (p.delegate ? p.delegate->username : "-") + '|' +
                  (p.series ? std::to_string(p.series->id) + p.series->name.value_or("-") : "-") + '|' +
                  std::to_string(p.related_id.value_or(-1)) + '|' + p.headers + '|' +
                  p.content.value_or("-") + '|' + p.diff.value_or("-") + '|' + p.check_state + '|';
  for (const auto& r : p.related) s += std::to_string(r.id) + ',' + r.name + ';';
  return s;
}

class DetailBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << "../shared not present";
    if (t_.conn().dialect() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL only";
    testing::BuildGoldenState(c());
    for (Query q(c(), "SELECT id FROM patches ORDER BY id"); q.Next();) ids_.push_back(q.Int(0));
    ASSERT_GE(ids_.size(), 8u);
    // Checks and a relation, so that the packed extras are in the rows.
    Id user = 0;
    for (Query q(c(), "SELECT MIN(id) FROM users"); q.Next();) user = q.Int(0);
    Query(c(), "INSERT INTO checks (patch_id, user_id, date, state, context) VALUES (?1, ?2, 5, 3, 'ci')",
          ids_[1], user).Run();
    Query(c(), "INSERT INTO patch_relations (id) VALUES (9001)").Run();
    Query(c(), "UPDATE patches SET related_id = 9001 WHERE id IN (?1, ?2)", ids_[2], ids_[3]).Run();
    missing_ = ids_.back() + 1000;
  }
  Connection& c() { return t_.conn(); }
  std::string Alone(Id id) { return Dump(GetPatchAlone(c(), id)); }

  testing::TempDb t_;
  std::vector<Id> ids_;
  Id missing_ = 0;
};

TEST_F(DetailBatchTest, OneStatementReadsWhatEachReadsAlone) {
  std::vector<Id> all = ids_;
  all.push_back(missing_);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{8}, all.size()}) {
    for (size_t from = 0; from < all.size(); from += n) {
      std::vector<Id> some(all.begin() + from, all.begin() + std::min(all.size(), from + n));
      if (some.size() > 1) some.push_back(some.front());  // a duplicate reads one row
      int64_t before = c().statements_executed();
      auto rows = GetPatchesAlone(c(), some);
      EXPECT_EQ(c().statements_executed() - before, 1) << n;
      for (Id id : some) {
        auto it = rows.find(id);
        EXPECT_EQ(it == rows.end() ? "none" : Dump(it->second), Alone(id)) << id;
      }
      EXPECT_EQ(rows.count(missing_), 0u);
    }
  }
}

TEST_F(DetailBatchTest, RequestsAddedTogetherShareOneStatement) {
  DetailBatch batch;
  std::vector<Id> added = {ids_[0], ids_[1], missing_, ids_[2], ids_[1]};
  for (Id id : added) batch.Add(id);
  int64_t before = c().statements_executed();
  std::vector<std::string> got;
  for (Id id : added) got.push_back(Dump(batch.Take(c(), id)));
  EXPECT_EQ(c().statements_executed() - before, 1);
  for (size_t i = 0; i < added.size(); ++i) EXPECT_EQ(got[i], Alone(added[i])) << added[i];
  EXPECT_EQ(batch.waiting(), 0u);
  // Not added: read alone, every time.
  std::string want = Alone(ids_[4]);
  before = c().statements_executed();
  EXPECT_EQ(Dump(batch.Take(c(), ids_[4])), want);
  EXPECT_EQ(c().statements_executed() - before, 1);
}

TEST_F(DetailBatchTest, ARowReadBeforeARequestArrivedIsReadAgain) {
  DetailBatch batch;
  batch.Add(ids_[0]);
  batch.Add(ids_[1]);
  EXPECT_EQ(Dump(batch.Take(c(), ids_[0])), Alone(ids_[0]));  // reads both
  // A write, then another request for the patch already read: both
  // requests for it get the row as it is now.
  Query(c(), "UPDATE patches SET name = 'renamed' WHERE id = ?1", ids_[1]).Run();
  Query(c(), "UPDATE data_generation SET generation = generation + 1 WHERE id = 1").Run();
  batch.Add(ids_[1]);
  int64_t before = c().statements_executed();
  std::string first = Dump(batch.Take(c(), ids_[1]));
  std::string second = Dump(batch.Take(c(), ids_[1]));
  EXPECT_EQ(c().statements_executed() - before, 1);
  EXPECT_EQ(first, Alone(ids_[1]));
  EXPECT_EQ(second, first);
  EXPECT_NE(first.find("|renamed|"), std::string::npos);
  EXPECT_EQ(batch.waiting(), 0u);
}

TEST_F(DetailBatchTest, DroppedRequestsLeaveNothingBehind) {
  DetailBatch batch;
  batch.Add(ids_[0]);
  batch.Add(ids_[1]);
  batch.Add(ids_[1]);
  batch.Drop(ids_[1]);
  batch.Drop(ids_[0]);  // never read
  EXPECT_EQ(batch.waiting(), 1u);
  EXPECT_EQ(Dump(batch.Take(c(), ids_[1])), Alone(ids_[1]));
  EXPECT_EQ(batch.waiting(), 0u);
  // Read, then dropped by the other request of the same id.
  batch.Add(ids_[2]);
  batch.Add(ids_[3]);
  batch.Take(c(), ids_[2]);
  batch.Drop(ids_[3]);
  EXPECT_EQ(batch.waiting(), 0u);
  batch.Drop(ids_[5]);  // unknown: nothing happens
  EXPECT_EQ(batch.waiting(), 0u);
}

TEST_F(DetailBatchTest, AtMostMaxIdsPerStatement) {
  DetailBatch batch;
  std::vector<Id> added;
  for (size_t i = 0; added.size() < DetailBatch::kMaxIds + 5; ++i) {
    added.push_back(i < ids_.size() ? ids_[i] : missing_ + static_cast<Id>(i));
  }
  std::vector<std::string> want;
  for (Id id : added) want.push_back(Alone(id));
  for (Id id : added) batch.Add(id);
  int64_t before = c().statements_executed();
  // The last one added is read first, with the 31 first ones.
  EXPECT_EQ(Dump(batch.Take(c(), added.back())), want.back());
  for (size_t i = 0; i + 1 < DetailBatch::kMaxIds; ++i) {
    EXPECT_EQ(Dump(batch.Take(c(), added[i])), want[i]) << added[i];
  }
  EXPECT_EQ(c().statements_executed() - before, 1);
  for (size_t i = DetailBatch::kMaxIds - 1; i + 1 < added.size(); ++i) {
    EXPECT_EQ(Dump(batch.Take(c(), added[i])), want[i]) << added[i];
  }
  EXPECT_EQ(c().statements_executed() - before, 2);  // the other five in one more
  EXPECT_EQ(batch.waiting(), 0u);
}

}  // namespace
}  // namespace pb::db::read
