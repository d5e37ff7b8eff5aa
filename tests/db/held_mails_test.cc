// Held replies (db/held_mails.h): db::HoldMail keeps a reply under each
// reference it names, and db::TakeHeldRepliesTo hands back and deletes,
// with their references, exactly the replies held under one message id of
// one project, oldest first; on PostgreSQL both are single statements, on
// SQLite row by row, and the rows must come out the same.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/held_mails.h"
#include "test_util.h"

namespace pb::db {
namespace {

struct Fixture {
  testing::TempDb t;
  Id project = 0, other = 0;

  Fixture() {
    auto& c = t.conn();
    auto projects = testing::InsertTwoProjects(c);
    project = projects.p;
    other = projects.q;
  }

  bool Hold(Id in_project, const std::string& msgid, const std::vector<std::string>& refs) {
    HeldMail m;
    m.project_id = in_project;
    m.msgid = msgid;
    m.list_id = "l";
    m.held = 7;
    m.raw = "raw of " + msgid + std::string("\0\xff", 2);  // kept as bytes
    return HoldMail(t.conn(), m, refs);
  }

  // Every reference row, a mail's left behind included (as "(gone)").
  std::vector<std::string> Refs() {
    std::vector<std::string> out;
    Query q(t.conn(),
            "SELECT COALESCE(h.msgid, '(gone)'), r.msgid, r.position FROM held_mail_refs r "
            "LEFT JOIN held_mails h ON h.id = r.held_id ORDER BY 1, r.position, r.msgid");
    while (q.Next()) out.push_back(q.Str(0) + " " + q.Str(1) + " " + std::to_string(q.Int(2)));
    return out;
  }
};

TEST(HeldMails, HoldKeepsEachReferenceOnceAtItsFirstPosition) {
  Fixture f;
  EXPECT_TRUE(f.Hold(f.project, "<a@x>", {"<p@x>", "<q@x>", "<p@x>"}));
  EXPECT_EQ(f.Refs(), (std::vector<std::string>{"<a@x> <p@x> 0", "<a@x> <q@x> 1"}));
  // A redelivery keeps neither the mail nor its references again.
  EXPECT_FALSE(f.Hold(f.project, "<a@x>", {"<r@x>"}));
  EXPECT_EQ(f.Refs(), (std::vector<std::string>{"<a@x> <p@x> 0", "<a@x> <q@x> 1"}));
  EXPECT_EQ(QueryInt(f.t.conn(), "SELECT COUNT(*) FROM held_mails"), 1);
}

TEST(HeldMails, TakeReturnsAndDeletesOnlyTheRepliesToThatMessageId) {
  Fixture f;
  ASSERT_TRUE(f.Hold(f.project, "<b@x>", {"<p@x>", "<q@x>"}));
  ASSERT_TRUE(f.Hold(f.project, "<c@x>", {"<q@x>"}));
  ASSERT_TRUE(f.Hold(f.project, "<d@x>", {"<r@x>", "<p@x>"}));
  ASSERT_TRUE(f.Hold(f.other, "<e@x>", {"<p@x>"}));

  auto taken = TakeHeldRepliesTo(f.t.conn(), f.project, "<p@x>");
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].msgid, "<b@x>");  // oldest first
  EXPECT_EQ(taken[1].msgid, "<d@x>");
  EXPECT_LT(taken[0].id, taken[1].id);
  EXPECT_EQ(taken[0].project_id, f.project);
  EXPECT_EQ(taken[0].list_id, "l");
  EXPECT_EQ(taken[0].held, 7);
  EXPECT_EQ(taken[0].raw, "raw of <b@x>" + std::string("\0\xff", 2));

  // The taken mails are gone with all their references; the others stay.
  EXPECT_EQ(f.Refs(), (std::vector<std::string>{"<c@x> <q@x> 0", "<e@x> <p@x> 0"}));
  EXPECT_TRUE(TakeHeldRepliesTo(f.t.conn(), f.project, "<p@x>").empty());
  EXPECT_TRUE(TakeHeldRepliesTo(f.t.conn(), f.project, "<r@x>").empty());
  auto rest = TakeHeldRepliesTo(f.t.conn(), f.project, "<q@x>");
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].msgid, "<c@x>");
  EXPECT_EQ(f.Refs(), (std::vector<std::string>{"<e@x> <p@x> 0"}));
  EXPECT_EQ(QueryInt(f.t.conn(), "SELECT COUNT(*) FROM held_mails"), 1);
}

}  // namespace
}  // namespace pb::db
