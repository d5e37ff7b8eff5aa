// Automatic superseding across v1 -> v2 -> v3 (service/superseding.h).
#include "service/superseding.h"

#include <gtest/gtest.h>

#include <map>

#include "db/superseding.h"
#include "db/projects.h"
#include "service/ingest.h"
#include "service/patch_updates.h"
#include "test_util.h"

namespace pb::service {
namespace {

using db::Query;
using db::QueryInt;

const char* kDiff =
    "---\n"
    "diff --git a/README b/README\n"
    "index 1111111..2222222 100644\n"
    "--- a/README\n"
    "+++ b/README\n"
    "@@ -1 +1,2 @@\n"
    " hello\n"
    "+world\n";

std::string Mail(const std::string& msgid, const std::string& subject, const std::string& date,
                 const std::string& in_reply_to = "") {
  std::string refs = in_reply_to.empty()
                         ? ""
                         : "In-Reply-To: " + in_reply_to + "\nReferences: " + in_reply_to + "\n";
  return "From: Jane Doe <jane@example.com>\n"
         "To: list@lists.example.org\n"
         "Subject: " + subject + "\n"
         "Date: " + date + "\n"
         "Message-Id: " + msgid + "\n"
         "List-Id: Example list <example.lists.example.org>\n" + refs + "\n" + kDiff;
}

class SupersedingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::ProjectRow p;
    p.linkname = "example";
    p.name = "Example";
    p.listid = "example.lists.example.org";
    p.listemail = "list@lists.example.org";
    p.send_notifications = true;
    project_id_ = db::InsertProject(t_.conn(), p);
  }
  void SetSupersede(bool on) {
    db::SetProjectSupersedesRevisions(t_.conn(), project_id_, on);
  }
  // A two-patch revision, not threaded to the one before: linked by name.
  void Revision(int v, const std::string& date) {
    std::string tag = v == 1 ? "" : "v" + std::to_string(v) + " ";
    std::string first = "<v" + std::to_string(v) + "-1@example.com>";
    ASSERT_EQ(IngestMail(t_.conn(), Mail(first, "[PATCH " + tag + "1/2] foo: tidy up", date), {}).outcome,
              Outcome::kPatch);
    ASSERT_EQ(IngestMail(t_.conn(),
                         Mail("<v" + std::to_string(v) + "-2@example.com>",
                              "[PATCH " + tag + "2/2] foo: more", date, first), {}).outcome,
              Outcome::kPatch);
  }
  std::map<std::string, std::string> States() {
    Query q(t_.conn(),
            "SELECT p.msgid, s.slug FROM patches p JOIN states s ON s.id = p.state_id");
    std::map<std::string, std::string> out;
    while (q.Next()) out[q.Str(0)] = q.Str(1);
    return out;
  }
  int64_t SupersededEvents() {
    return *QueryInt(t_.conn(),
                     "SELECT COUNT(*) FROM events e JOIN states s ON s.id = e.current_state_id "
                     "WHERE e.category = 'patch-state-changed' AND s.slug = 'superseded' "
                     "AND e.actor_id IS NULL");
  }
  void SetState(const std::string& msgid, db::Id state) {
    auto id = QueryInt(t_.conn(), "SELECT id FROM patches WHERE msgid = ?1", msgid).value();
    PatchChanges ch;
    ch.state_id = state;
    ASSERT_TRUE(UpdatePatch(t_.conn(), id, ch, std::nullopt).ok());
  }

  testing::TempDb t_;
  db::Id project_id_ = 0;
};

TEST_F(SupersedingTest, OffByDefaultChangesNothing) {
  Revision(1, "Tue, 01 Aug 2023 17:10:01 +0000");
  Revision(2, "Wed, 02 Aug 2023 17:10:01 +0000");
  Revision(3, "Thu, 03 Aug 2023 17:10:01 +0000");
  for (const auto& [msgid, slug] : States()) EXPECT_EQ(slug, "new") << msgid;
  EXPECT_EQ(SupersededEvents(), 0);
  // The revisions are linked all the same.
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM series WHERE previous_id IS NOT NULL"), 2);
}

TEST_F(SupersedingTest, EachRevisionSupersedesThePreviousOnes) {
  SetSupersede(true);
  Revision(1, "Tue, 01 Aug 2023 17:10:01 +0000");
  SetState("<v1-2@example.com>", 3);  // accepted: a final state, left alone
  Revision(2, "Wed, 02 Aug 2023 17:10:01 +0000");
  auto s = States();
  EXPECT_EQ(s["<v1-1@example.com>"], "superseded");
  EXPECT_EQ(s["<v1-2@example.com>"], "accepted");
  EXPECT_EQ(s["<v2-1@example.com>"], "new");
  EXPECT_EQ(s["<v2-2@example.com>"], "new");
  EXPECT_EQ(SupersededEvents(), 1);
  SetState("<v2-2@example.com>", 2);  // under review still needs action
  Revision(3, "Thu, 03 Aug 2023 17:10:01 +0000");
  s = States();
  EXPECT_EQ(s["<v1-1@example.com>"], "superseded");
  EXPECT_EQ(s["<v1-2@example.com>"], "accepted");
  EXPECT_EQ(s["<v2-1@example.com>"], "superseded");
  EXPECT_EQ(s["<v2-2@example.com>"], "superseded");
  EXPECT_EQ(s["<v3-1@example.com>"], "new");
  EXPECT_EQ(s["<v3-2@example.com>"], "new");
  EXPECT_EQ(SupersededEvents(), 3);
  // The events carry the state each patch left.
  Query q(t_.conn(),
          "SELECT p.msgid, ps.slug FROM events e JOIN patches p ON p.id = e.patch_id "
          "JOIN states ps ON ps.id = e.previous_state_id JOIN states cs ON cs.id = e.current_state_id "
          "WHERE cs.slug = 'superseded' ORDER BY e.id");
  std::vector<std::pair<std::string, std::string>> ev;
  while (q.Next()) ev.emplace_back(q.Str(0), q.Str(1));
  EXPECT_EQ(ev, (std::vector<std::pair<std::string, std::string>>{
                    {"<v1-1@example.com>", "new"},
                    {"<v2-1@example.com>", "new"},
                    {"<v2-2@example.com>", "under-review"}}));
  // The project sends notifications: each change is queued for the digest,
  // as a maintainer's change would be.
  EXPECT_EQ(*QueryInt(t_.conn(),
                      "SELECT COUNT(*) FROM patch_change_notifications n JOIN patches p "
                      "ON p.id = n.patch_id WHERE p.msgid IN ('<v1-1@example.com>', "
                      "'<v2-1@example.com>', '<v2-2@example.com>')"),
            3);
}

TEST_F(SupersedingTest, TurnedOnLaterSupersedesTheWholeChain) {
  Revision(1, "Tue, 01 Aug 2023 17:10:01 +0000");
  SetState("<v1-2@example.com>", 4);  // rejected
  Revision(2, "Wed, 02 Aug 2023 17:10:01 +0000");
  SetSupersede(true);
  // v3 threaded to v2: linked through the reference.
  ASSERT_EQ(IngestMail(t_.conn(),
                       Mail("<v3-1@example.com>", "[PATCH v3 1/2] foo: tidy up",
                            "Thu, 03 Aug 2023 17:10:01 +0000", "<v2-1@example.com>"), {}).outcome,
            Outcome::kPatch);
  auto s = States();
  EXPECT_EQ(s["<v1-1@example.com>"], "superseded");
  EXPECT_EQ(s["<v1-2@example.com>"], "rejected");
  EXPECT_EQ(s["<v2-1@example.com>"], "superseded");
  EXPECT_EQ(s["<v2-2@example.com>"], "superseded");
  EXPECT_EQ(s["<v3-1@example.com>"], "new");
  EXPECT_EQ(SupersededEvents(), 3);
}

}  // namespace
}  // namespace pb::service
