// Replays upstream's golden ingest (shared/golden/SETUP.md) and compares,
// mail by mail, what each became, then the stored rows field by field with
// what upstream Patchwork stored (golden/ingest/golden-db-after-ingest.json).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <sstream>

#include "golden_state.h"
#include "service/ingest.h"

namespace pb::service {
namespace {

namespace json = boost::json;
using db::Query;
using db::QueryInt;

class GoldenIngest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::HaveShared()) return;
    db_ = new testing::TempDb();
    for (auto& g : testing::BuildGoldenState(db_->conn())) {
      std::string joined;
      for (const auto& r : g.results) joined += (joined.empty() ? "" : "; ") + Describe(r);
      results_->push_back({g.file, g.expected, joined});
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << "../shared not present";
  }

  static std::string Describe(const IngestResult& r) {
    auto& c = db_->conn();
    switch (r.outcome) {
      case Outcome::kPatch: {
        Query q(c, "SELECT series_id, number FROM patches WHERE id = ?1", r.id);
        q.Next();
        if (q.IsNull(0)) return "patch " + std::to_string(r.id);
        return "patch " + std::to_string(r.id) + " (series " + std::to_string(q.Int(0)) + " #" +
               std::to_string(q.Int(1)) + ")";
      }
      case Outcome::kCover:
        return "cover " + std::to_string(r.id) + " (series " +
               std::to_string(QueryInt(c, "SELECT id FROM series WHERE cover_letter_id = ?1", r.id).value_or(0)) + ")";
      case Outcome::kPatchComment:
        return "patch-comment " + std::to_string(r.id) + " on patch " +
               std::to_string(*QueryInt(c, "SELECT patch_id FROM patch_comments WHERE id = ?1", r.id));
      case Outcome::kCoverComment:
        return "cover-comment " + std::to_string(r.id) + " on cover " +
               std::to_string(*QueryInt(c, "SELECT cover_id FROM cover_comments WHERE id = ?1", r.id));
      case Outcome::kDuplicate: return "duplicate";
      case Outcome::kDropped: return "dropped";
      case Outcome::kFailed: return "error: " + r.reason;
      case Outcome::kHeld: return "held";
    }
    return "?";
  }

  static json::value Golden() {
    return json::parse(testing::ReadFile(testing::SharedDir() +
                                         "/golden/ingest/golden-db-after-ingest.json"));
  }

  struct Line {
    std::string file, expected, got;
  };
  static inline testing::TempDb* db_ = nullptr;
  static inline std::vector<Line>* results_ = new std::vector<Line>();
};

TEST_F(GoldenIngest, EveryMailBecomesWhatUpstreamMadeOfIt) {
  ASSERT_EQ(results_->size(), 55u);  // one line per input file
  for (const auto& l : *results_) EXPECT_EQ(l.got, l.expected) << l.file;
}

TEST_F(GoldenIngest, PatchesMatchUpstreamRows) {
  auto golden = Golden().as_object()["patches"].as_array();
  auto& c = db_->conn();
  ASSERT_EQ(*QueryInt(c, "SELECT COUNT(*) FROM patches"), static_cast<int64_t>(golden.size()));
  for (const auto& v : golden) {
    const auto& g = v.as_object();
    Query q(c,
            "SELECT p.msgid, p.name, p.hash, p.pull_url, p.diff IS NOT NULL, p.series_id, p.number, "
            "pe.email, s.slug, p.date, pr.linkname FROM patches p JOIN people pe ON pe.id = p.submitter_id "
            "JOIN states s ON s.id = p.state_id JOIN projects pr ON pr.id = p.project_id WHERE p.id = ?1",
            g.at("id").as_int64());
    ASSERT_TRUE(q.Next()) << g.at("id");
    std::string where = "patch " + std::to_string(g.at("id").as_int64());
    EXPECT_EQ(q.Str(0), g.at("msgid").as_string()) << where;
    EXPECT_EQ(q.Str(1), g.at("name").as_string()) << where;
    EXPECT_EQ(q.OptStr(2).value_or("null"),
              g.at("hash").is_null() ? "null" : std::string(g.at("hash").as_string())) << where;
    EXPECT_EQ(q.OptStr(3).value_or("null"),
              g.at("pull_url").is_null() ? "null" : std::string(g.at("pull_url").as_string())) << where;
    EXPECT_EQ(q.Int(4) != 0, g.at("has_diff").as_bool()) << where;
    EXPECT_EQ(q.OptInt(5).value_or(0), g.at("series").is_null() ? 0 : g.at("series").as_int64()) << where;
    EXPECT_EQ(q.OptInt(6).value_or(0), g.at("number").is_null() ? 0 : g.at("number").as_int64()) << where;
    EXPECT_EQ(q.Str(7), g.at("submitter").as_string()) << where;
    EXPECT_EQ(q.Str(8), g.at("state").as_string()) << where;
    EXPECT_EQ(FormatIsoDate(q.Int(9)), g.at("date").as_string()) << where;
    EXPECT_EQ(q.Str(10), g.at("project").as_string()) << where;
  }
}

TEST_F(GoldenIngest, SeriesMatchUpstreamRows) {
  auto golden = Golden().as_object()["series"].as_array();
  auto& c = db_->conn();
  ASSERT_EQ(*QueryInt(c, "SELECT COUNT(*) FROM series"), static_cast<int64_t>(golden.size()));
  for (const auto& v : golden) {
    const auto& g = v.as_object();
    Query q(c,
            "SELECT name, version, total, received_total, cover_letter_id, date FROM series WHERE id = ?1",
            g.at("id").as_int64());
    ASSERT_TRUE(q.Next());
    std::string where = "series " + std::to_string(g.at("id").as_int64());
    EXPECT_EQ(q.OptStr(0).value_or("null"),
              g.at("name").is_null() ? "null" : std::string(g.at("name").as_string())) << where;
    EXPECT_EQ(q.Int(1), g.at("version").as_int64()) << where;
    EXPECT_EQ(q.Int(2), g.at("total").as_int64()) << where;
    EXPECT_EQ(q.Int(3), g.at("received_total").as_int64()) << where;
    EXPECT_EQ(q.OptInt(4).value_or(0), g.at("cover").is_null() ? 0 : g.at("cover").as_int64()) << where;
    EXPECT_EQ(FormatIsoDate(q.Int(5)), g.at("date").as_string()) << where;
  }
}

TEST_F(GoldenIngest, CoversCommentsAndPeopleMatchUpstreamRows) {
  auto golden = Golden().as_object();
  auto& c = db_->conn();
  for (const auto& v : golden["covers"].as_array()) {
    const auto& g = v.as_object();
    Query q(c, "SELECT msgid, name FROM covers WHERE id = ?1", g.at("id").as_int64());
    ASSERT_TRUE(q.Next());
    EXPECT_EQ(q.Str(0), g.at("msgid").as_string());
    EXPECT_EQ(q.Str(1), g.at("name").as_string());
  }
  for (const auto& v : golden["patch_comments"].as_array()) {
    const auto& g = v.as_object();
    Query q(c, "SELECT msgid, patch_id, addressed FROM patch_comments WHERE id = ?1", g.at("id").as_int64());
    ASSERT_TRUE(q.Next());
    EXPECT_EQ(q.Str(0), g.at("msgid").as_string());
    EXPECT_EQ(q.Int(1), g.at("patch").as_int64());
    EXPECT_EQ(q.IsNull(2), g.at("addressed").is_null());
  }
  for (const auto& v : golden["cover_comments"].as_array()) {
    const auto& g = v.as_object();
    Query q(c, "SELECT msgid, cover_id FROM cover_comments WHERE id = ?1", g.at("id").as_int64());
    ASSERT_TRUE(q.Next());
    EXPECT_EQ(q.Str(0), g.at("msgid").as_string());
    EXPECT_EQ(q.Int(1), g.at("cover").as_int64());
  }
  auto people = golden["people"].as_array();
  ASSERT_EQ(*QueryInt(c, "SELECT COUNT(*) FROM people"), static_cast<int64_t>(people.size()));
  for (const auto& v : people) {
    const auto& g = v.as_object();
    Query q(c, "SELECT email, name FROM people WHERE id = ?1", g.at("id").as_int64());
    ASSERT_TRUE(q.Next());
    EXPECT_EQ(q.Str(0), g.at("email").as_string());
    EXPECT_EQ(q.OptStr(1).value_or("null"),
              g.at("name").is_null() ? "null" : std::string(g.at("name").as_string()));
  }
}

TEST_F(GoldenIngest, EventsMatchUpstreamInOrder) {
  auto golden = Golden().as_object()["events"].as_array();
  auto& c = db_->conn();
  Query q(c, "SELECT id, category, COALESCE(patch_id, 0), COALESCE(series_id, 0), COALESCE(cover_id, 0) FROM events ORDER BY id");
  size_t i = 0;
  while (q.Next()) {
    ASSERT_LT(i, golden.size());
    const auto& g = golden[i++].as_object();
    auto id = [&](const char* k) { return g.at(k).is_null() ? 0 : g.at(k).as_int64(); };
    EXPECT_EQ(q.Str(1), g.at("category").as_string()) << "event " << q.Int(0);
    EXPECT_EQ(q.Int(2), id("patch")) << "event " << q.Int(0);
    EXPECT_EQ(q.Int(3), id("series")) << "event " << q.Int(0);
    EXPECT_EQ(q.Int(4), id("cover")) << "event " << q.Int(0);
  }
  EXPECT_EQ(i, golden.size());
}

}  // namespace
}  // namespace pb::service
