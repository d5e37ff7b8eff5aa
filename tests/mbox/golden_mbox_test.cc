// mbox downloads compared byte for byte with upstream's (shared/golden/http).
#include <gtest/gtest.h>

#include "golden_state.h"
#include "mbox/mbox.h"

namespace pb::mbox {
namespace {

class GoldenMbox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::HaveShared()) return;
    db_ = new testing::TempDb();
    testing::BuildGoldenState(db_->conn());
    // The captured downloads were made after the golden writes: patch 56
    // under review and delegated to admin; bundle 1 = patches 54, 55, 56.
    auto& c = db_->conn();
    db::Query(c, "UPDATE patches SET state_id = 2, delegate_id = 1 WHERE id = 56").Run();
    db::Query(c, "INSERT INTO bundles (id, owner_id, project_id, name, public) VALUES (1, 1, 2, 'golden-bundle', 1)").Run();
    for (int i = 0; i < 3; ++i) {
      db::Query(c, "INSERT INTO bundle_patches (bundle_id, patch_id, position) VALUES (1, ?1, ?2)", 54 + i, i + 1).Run();
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << "../shared not present";
  }
  static std::string Golden(const std::string& name) {
    return testing::ReadFile(testing::SharedDir() + "/golden/http/" + name);
  }
  static inline testing::TempDb* db_ = nullptr;
};

TEST_F(GoldenMbox, PatchWithReviewTagFromReply) {
  EXPECT_EQ(PatchMbox(db_->conn(), 54).value_or(""), Golden("dl-patch-54-mbox-by-msgid.mbox"));
}

TEST_F(GoldenMbox, PullRequest) {
  EXPECT_EQ(PatchMbox(db_->conn(), 1).value_or(""), Golden("dl-patch-1-mbox-pull--followed.mbox"));
}

TEST_F(GoldenMbox, BinaryPatch) {
  EXPECT_EQ(PatchMbox(db_->conn(), 16).value_or(""), Golden("dl-patch-16-mbox-binary--followed.mbox"));
}

TEST_F(GoldenMbox, PatchWithDependencies) {
  EXPECT_EQ(PatchWithDependenciesMbox(db_->conn(), 55).value_or(""),
            Golden("dl-patch-55-mbox-by-msgid-series-star.mbox"));
}

TEST_F(GoldenMbox, CoverLetter) {
  EXPECT_EQ(CoverMbox(db_->conn(), 8).value_or(""), Golden("dl-cover-8-mbox--followed.mbox"));
}

TEST_F(GoldenMbox, SeriesInNumberOrderWithDelegate) {
  EXPECT_EQ(SeriesMbox(db_->conn(), 36).value_or(""), Golden("dl-series-36-mbox.mbox"));
  EXPECT_EQ(SeriesMbox(db_->conn(), 19).value_or(""), Golden("dl-series-19-mbox.mbox"));
}

TEST_F(GoldenMbox, BundleInBundleOrder) {
  EXPECT_EQ(BundleMbox(db_->conn(), 1).value_or(""), Golden("dl-bundle-golden-mbox.mbox"));
}

// Patches 5 (charset="none") and 7 (a raw 0x9c byte in a header) were stored
// from broken mails; their downloads must still be well-formed UTF-8 mboxes.
TEST_F(GoldenMbox, BrokenCharsetsStillGiveValidMbox) {
  for (db::Id id : {5, 7, 8}) {
    auto m = PatchMbox(db_->conn(), id);
    ASSERT_TRUE(m) << id;
    EXPECT_EQ(m->rfind("From patchwork ", 0), 0u) << id;
    EXPECT_NE(m->find("\nX-Patchwork-Id: " + std::to_string(id) + "\n"), std::string::npos) << id;
    EXPECT_NE(m->find("\n\n"), std::string::npos) << id;
    // Valid UTF-8 throughout.
    size_t i = 0;
    while (i < m->size()) {
      unsigned char c = static_cast<unsigned char>((*m)[i]);
      size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      ASSERT_NE(n, 0u) << "patch " << id << " byte " << i;
      for (size_t k = 1; k < n; ++k) {
        ASSERT_LT(i + k, m->size());
        ASSERT_EQ(static_cast<unsigned char>((*m)[i + k]) >> 6, 2) << "patch " << id << " byte " << i;
      }
      i += n;
    }
  }
}

TEST_F(GoldenMbox, UnknownIdsAreAbsent) {
  EXPECT_FALSE(PatchMbox(db_->conn(), 999));
  EXPECT_FALSE(CoverMbox(db_->conn(), 999));
  EXPECT_FALSE(SeriesMbox(db_->conn(), 999));
  EXPECT_FALSE(BundleMbox(db_->conn(), 999));
}

}  // namespace
}  // namespace pb::mbox
