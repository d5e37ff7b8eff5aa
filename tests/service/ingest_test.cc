#include "service/ingest.h"

#include <gtest/gtest.h>

#include "db/projects.h"
#include "db/users.h"
#include "test_util.h"

namespace pb::service {
namespace {

using db::Query;
using db::QueryInt;

const char* kDiff =
    "---\n"
    " README | 1 +\n"
    " 1 file changed, 1 insertion(+)\n"
    "\n"
    "diff --git a/README b/README\n"
    "index 1111111..2222222 100644\n"
    "--- a/README\n"
    "+++ b/README\n"
    "@@ -1 +1,2 @@\n"
    " hello\n"
    "+world\n";

std::string Mail(const std::string& msgid, const std::string& subject, const std::string& body,
                 const std::string& extra_headers = "", const std::string& date =
                     "Tue, 01 Aug 2023 17:10:01 +0000") {
  return "From: Jane Doe <jane@example.com>\n"
         "To: list@lists.example.org\n"
         "Subject: " + subject + "\n"
         "Date: " + date + "\n"
         "Message-Id: " + msgid + "\n"
         "List-Id: Example list <example.lists.example.org>\n" +
         extra_headers +
         "\n" + body;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::ProjectRow p;
    p.linkname = "example";
    p.name = "Example";
    p.listid = "example.lists.example.org";
    p.listemail = "list@lists.example.org";
    project_id_ = db::InsertProject(t_.conn(), p);
  }
  IngestResult Ingest(const std::string& raw) { return IngestMail(t_.conn(), raw, {}); }
  int64_t Count(const char* table) {
    return *QueryInt(t_.conn(), std::string("SELECT COUNT(*) FROM ") + table);
  }

  testing::TempDb t_;
  db::Id project_id_ = 0;
};

TEST_F(IngestTest, StoresAPatchWithHashStateAndSeries) {
  auto r = Ingest(Mail("<1@example.com>", "[PATCH] Add world", "Says more.\n\nSigned-off-by: Jane\n" + std::string(kDiff)));
  ASSERT_EQ(r.outcome, Outcome::kPatch) << r.reason;
  Query q(t_.conn(),
          "SELECT p.name, p.msgid, length(p.hash), s.slug, p.series_id, p.number, pe.email, pe.name "
          "FROM patches p JOIN states s ON s.id = p.state_id JOIN people pe ON pe.id = p.submitter_id");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Str(0), "Add world");
  EXPECT_EQ(q.Str(1), "<1@example.com>");
  EXPECT_EQ(q.Int(2), 40);
  EXPECT_EQ(q.Str(3), "new");
  EXPECT_FALSE(q.IsNull(4));
  EXPECT_EQ(q.Int(5), 1);
  EXPECT_EQ(q.Str(6), "jane@example.com");
  EXPECT_EQ(q.Str(7), "Jane Doe");
}

TEST_F(IngestTest, SameMessageTwiceIsADuplicateAndChangesNothing) {
  std::string mail = Mail("<1@example.com>", "[PATCH] Add world", kDiff);
  ASSERT_EQ(Ingest(mail).outcome, Outcome::kPatch);
  int64_t events = Count("events");
  EXPECT_EQ(Ingest(mail).outcome, Outcome::kDuplicate);
  EXPECT_EQ(Count("patches"), 1);
  EXPECT_EQ(Count("series"), 1);
  EXPECT_EQ(Count("events"), events);
}

TEST_F(IngestTest, UnknownListIsDropped) {
  std::string mail = Mail("<1@example.com>", "[PATCH] x", kDiff);
  mail.replace(mail.find("example.lists.example.org"), 25, "other.lists.example.org");
  auto r = Ingest(mail);
  EXPECT_EQ(r.outcome, Outcome::kDropped);
  EXPECT_EQ(Count("patches"), 0);
  EXPECT_EQ(Count("people"), 0);
}

TEST_F(IngestTest, ListIdOptionOverridesHeaders) {
  std::string mail = Mail("<1@example.com>", "[PATCH] x", kDiff);
  mail.replace(mail.find("example.lists.example.org"), 25, "other.lists.example.org");
  IngestOptions o;
  o.list_id = "example.lists.example.org";
  EXPECT_EQ(IngestMail(t_.conn(), mail, o).outcome, Outcome::kPatch);
}

TEST_F(IngestTest, IgnoreHintDrops) {
  auto r = Ingest(Mail("<1@example.com>", "[PATCH] x", kDiff, "X-Patchwork-Hint: IGNORE\n"));
  EXPECT_EQ(r.outcome, Outcome::kDropped);
}

TEST_F(IngestTest, MailWithoutMessageIdFailsAndIsKept) {
  std::string mail = "From: a@example.com\nSubject: [PATCH] x\nList-Id: <example.lists.example.org>\n\n" +
                     std::string(kDiff);
  auto r = Ingest(mail);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_GT(r.failed_id, 0);
  Query q(t_.conn(), "SELECT raw, reason FROM failed_mails");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Blob(0), mail);
  EXPECT_NE(q.Str(1).find("Message-Id"), std::string::npos) << q.Str(1);
  EXPECT_EQ(Count("patches"), 0);
}

TEST_F(IngestTest, SeriesWithCoverLetterRepliesAndTags) {
  auto cover = Ingest(Mail("<0@example.com>", "[PATCH 0/2] A sample series", "This series adds things.\n"));
  ASSERT_EQ(cover.outcome, Outcome::kCover) << cover.reason;
  auto p1 = Ingest(Mail("<1@example.com>", "[PATCH 1/2] First", kDiff, "In-Reply-To: <0@example.com>\nReferences: <0@example.com>\n"));
  auto p2 = Ingest(Mail("<2@example.com>", "[PATCH 2/2] Second", kDiff, "In-Reply-To: <0@example.com>\nReferences: <0@example.com>\n"));
  ASSERT_EQ(p1.outcome, Outcome::kPatch);
  ASSERT_EQ(p2.outcome, Outcome::kPatch);
  EXPECT_EQ(Count("series"), 1);
  Query s(t_.conn(), "SELECT name, total, received_total, cover_letter_id FROM series");
  ASSERT_TRUE(s.Next());
  EXPECT_EQ(s.Str(0), "A sample series");
  EXPECT_EQ(s.Int(1), 2);
  EXPECT_EQ(s.Int(2), 2);
  EXPECT_EQ(s.Int(3), cover.id);

  auto reply = Ingest(Mail("<r1@example.com>", "Re: [PATCH 1/2] First", "> quoted\n\nReviewed-by: Rev <rev@example.com>\nAcked-by: Ack <ack@example.com>\n",
                           "In-Reply-To: <1@example.com>\nReferences: <0@example.com> <1@example.com>\n"));
  ASSERT_EQ(reply.outcome, Outcome::kPatchComment) << reply.reason;
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT patch_id FROM patch_comments"), p1.id);
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT count FROM patch_tags WHERE patch_id = ?1 AND tag_id = 2", p1.id), 1);
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT COUNT(*) FROM patch_tags WHERE patch_id = ?1", p2.id), 0);

  auto cover_reply = Ingest(Mail("<r0@example.com>", "Re: [PATCH 0/2] A sample series", "Nice.\n",
                                 "In-Reply-To: <0@example.com>\nReferences: <0@example.com>\n"));
  EXPECT_EQ(cover_reply.outcome, Outcome::kCoverComment) << cover_reply.reason;

  Query e(t_.conn(), "SELECT category FROM events ORDER BY id");
  std::vector<std::string> categories;
  while (e.Next()) categories.push_back(e.Str(0));
  EXPECT_EQ(categories, (std::vector<std::string>{
                            "series-created", "cover-created", "patch-created", "patch-completed",
                            "patch-created", "patch-completed", "series-completed",
                            "patch-comment-created", "cover-comment-created"}));
}

TEST_F(IngestTest, SecondRevisionLinksToTheFirst) {
  // v1 without cover, v2 with cover and not threaded to v1: linked by name.
  ASSERT_EQ(Ingest(Mail("<v1-1@example.com>", "[PATCH 1/2] foo: tidy up", kDiff)).outcome, Outcome::kPatch);
  ASSERT_EQ(Ingest(Mail("<v1-2@example.com>", "[PATCH 2/2] foo: more", kDiff,
                        "In-Reply-To: <v1-1@example.com>\nReferences: <v1-1@example.com>\n")).outcome, Outcome::kPatch);
  ASSERT_EQ(Ingest(Mail("<v2-1@example.com>", "[PATCH v2 1/2] foo: tidy up", kDiff, "",
                        "Wed, 02 Aug 2023 17:10:01 +0000")).outcome, Outcome::kPatch);
  // v3 threaded to v2's first patch: linked through the reference.
  ASSERT_EQ(Ingest(Mail("<v3-1@example.com>", "[PATCH v3 1/2] foo: tidy up (renamed)", kDiff,
                        "In-Reply-To: <v2-1@example.com>\nReferences: <v2-1@example.com>\n",
                        "Thu, 03 Aug 2023 17:10:01 +0000")).outcome, Outcome::kPatch);
  Query q(t_.conn(), "SELECT version, previous_id FROM series ORDER BY id");
  std::vector<std::pair<int64_t, int64_t>> rows;
  while (q.Next()) rows.emplace_back(q.Int(0), q.OptInt(1).value_or(0));
  EXPECT_EQ(rows, (std::vector<std::pair<int64_t, int64_t>>{{1, 0}, {2, 1}, {3, 2}}));
}

TEST_F(IngestTest, DependsOnLinksSeries) {
  ASSERT_EQ(Ingest(Mail("<base@example.com>", "[PATCH] base", kDiff)).outcome, Outcome::kPatch);
  auto base_series = *QueryInt(t_.conn(), "SELECT series_id FROM patches WHERE msgid = '<base@example.com>'");
  ASSERT_EQ(Ingest(Mail("<dep0@example.com>", "[PATCH 0/1] needs base",
                        "Depends-on: <base@example.com>\nDepends-on: <dep0@example.com>\n")).outcome,
            Outcome::kCover);
  ASSERT_EQ(Ingest(Mail("<dep1@example.com>", "[PATCH 1/1] uses base",
                        "Depends-on: http://pw.example.org/project/example/list/?series=" +
                            std::to_string(base_series) + "\n" + kDiff,
                        "In-Reply-To: <dep0@example.com>\nReferences: <dep0@example.com>\n")).outcome,
            Outcome::kPatch);
  Query q(t_.conn(), "SELECT series_id, depends_on_id FROM series_dependencies");
  int rows = 0;
  while (q.Next()) {
    ++rows;
    EXPECT_EQ(q.Int(1), base_series);
    EXPECT_NE(q.Int(0), base_series);
  }
  EXPECT_EQ(rows, 1);  // the same dependency twice, and the self-reference, are not stored
}

TEST_F(IngestTest, EmptyCoverSubjectLetsTheFirstPatchNameTheSeries) {
  // A cover whose subject is only prefixes names the series "", which counts
  // as unnamed: patch 1 arriving afterwards names it (linuxppc-dev archive).
  ASSERT_EQ(Ingest(Mail("<e0@example.com>", "[PATCH v2 0/2]", "Cover text.\n")).outcome, Outcome::kCover);
  ASSERT_EQ(Ingest(Mail("<e1@example.com>", "[PATCH v2 1/2] foo: first", kDiff,
                        "In-Reply-To: <e0@example.com>\nReferences: <e0@example.com>\n")).outcome,
            Outcome::kPatch);
  Query q(t_.conn(), "SELECT name FROM series");
  ASSERT_TRUE(q.Next());
  EXPECT_EQ(q.Str(0), "[v2,1/2] foo: first");
}

TEST_F(IngestTest, DelegationRulesAndPatchworkHeaders) {
  auto& c = t_.conn();
  db::UserRow alice, bob;
  alice.username = "alice";
  alice.email = "alice@example.com";
  bob.username = "bob";
  bob.email = "Bob@Example.com";
  db::Id a = db::InsertUser(c, alice, "");
  db::Id b = db::InsertUser(c, bob, "");
  db::AddDelegationRule(c, project_id_, a, "README", 0);
  db::AddDelegationRule(c, project_id_, b, "docs/*", 0);
  auto delegate = [&](const char* msgid) {
    return QueryInt(c, "SELECT delegate_id FROM patches WHERE msgid = ?1", msgid);
  };
  // Every touched file matches alice's rule (a/README, b/README -> README).
  ASSERT_EQ(Ingest(Mail("<d1@example.com>", "[PATCH] readme", kDiff)).outcome, Outcome::kPatch);
  EXPECT_EQ(delegate("<d1@example.com>"), a);
  // The header wins over the rules; the user is found case-insensitively.
  ASSERT_EQ(Ingest(Mail("<d2@example.com>", "[PATCH] readme", kDiff,
                        "X-Patchwork-Delegate: bob@example.com\nX-Patchwork-State: Under Review\n"))
                .outcome,
            Outcome::kPatch);
  EXPECT_EQ(delegate("<d2@example.com>"), b);
  EXPECT_EQ(QueryInt(c, "SELECT state_id FROM patches WHERE msgid = '<d2@example.com>'"), 2);
  // Files matching rules of two different users: no delegate.
  std::string two = std::string(kDiff) +
                    "diff --git a/docs/x b/docs/x\n--- a/docs/x\n+++ b/docs/x\n@@ -1 +1 @@\n-a\n+b\n";
  ASSERT_EQ(Ingest(Mail("<d3@example.com>", "[PATCH] both", two)).outcome, Outcome::kPatch);
  EXPECT_FALSE(delegate("<d3@example.com>"));
  // An unknown state name falls back to the default state.
  ASSERT_EQ(Ingest(Mail("<d4@example.com>", "[PATCH] x", kDiff, "X-Patchwork-State: Nonsense\n")).outcome,
            Outcome::kPatch);
  EXPECT_EQ(QueryInt(c, "SELECT state_id FROM patches WHERE msgid = '<d4@example.com>'"), 1);
  // X-Patchwork-Action-Required marks a patch reply as unaddressed.
  ASSERT_EQ(Ingest(Mail("<d5@example.com>", "Re: [PATCH] x", "Please fix.\n",
                        "In-Reply-To: <d4@example.com>\nX-Patchwork-Action-Required: yes\n"))
                .outcome,
            Outcome::kPatchComment);
  EXPECT_EQ(QueryInt(c, "SELECT addressed FROM patch_comments WHERE msgid = '<d5@example.com>'"), 0);
}

TEST_F(IngestTest, SeveralProjectsOnOneListBySubjectMatch) {
  db::ProjectRow net;
  net.linkname = "example-net";
  net.name = "Example net";
  net.listid = "example.lists.example.org";  // same list as the default project
  net.listemail = "list@lists.example.org";
  net.subject_match = "\\[.*net-next.*\\]";
  db::Id net_id = db::InsertProject(t_.conn(), net);
  auto project_of = [&](const char* msgid) {
    return QueryInt(t_.conn(), "SELECT project_id FROM patches WHERE msgid = ?1", msgid);
  };
  ASSERT_EQ(Ingest(Mail("<n1@example.com>", "[PATCH net-next] tcp: tweak", kDiff)).outcome, Outcome::kPatch);
  ASSERT_EQ(Ingest(Mail("<n2@example.com>", "[PATCH] docs: tweak", kDiff)).outcome, Outcome::kPatch);
  EXPECT_EQ(project_of("<n1@example.com>"), net_id);
  EXPECT_EQ(project_of("<n2@example.com>"), project_id_);  // the one without subject_match
  // "PATCH" is dropped from the prefixes; "net-next" (not the linkname) stays.
  EXPECT_EQ(QueryInt(t_.conn(), "SELECT COUNT(*) FROM patches WHERE name = '[net-next] tcp: tweak'"), 1);
  // X-Mailing-List is tried when List-Id is absent.
  std::string mail = Mail("<n3@example.com>", "[PATCH] via x-mailing-list", kDiff);
  mail.replace(mail.find("List-Id: Example list <example.lists.example.org>"), 50,
               "X-Mailing-List: example.lists.example.org");
  ASSERT_EQ(Ingest(mail).outcome, Outcome::kPatch);
  EXPECT_EQ(project_of("<n3@example.com>"), project_id_);
}

// parsearchive's IngestOptions::project_hint: what the parse thread
// prepared for the hinted project (the subject without its linkname, the
// author for its list address) counts only for a mail stored in that
// project; any other mail is stored as without a hint.
TEST_F(IngestTest, ProjectHintCountsOnlyForItsOwnProject) {
  auto store = [&](const std::string& raw, const ProjectHint& hint) {
    IngestOptions o;
    o.project_hint = hint;
    return StoreParsed(t_.conn(), raw, ParseForIngest(raw, o), o);
  };
  auto row = [&](const char* msgid) {
    Query q(t_.conn(),
            "SELECT p.name, pe.email FROM patches p JOIN people pe ON pe.id = p.submitter_id "
            "WHERE p.msgid = ?1",
            msgid);
    EXPECT_TRUE(q.Next()) << msgid;
    return q.Str(0) + " | " + q.Str(1);
  };
  // From the list's address, as a DMARC-munging list sends it: the author
  // is the Reply-To's when the address is the project's list address.
  auto munged = [&](const std::string& msgid, const std::string& subject) {
    std::string mail = Mail(msgid, subject, kDiff, "Reply-To: Jane Doe <jane@example.com>\n");
    mail.replace(0, mail.find('\n'), "From: Jane Doe via Example <list@lists.example.org>");
    return mail;
  };
  const ProjectHint right{"example", "list@lists.example.org"};
  const ProjectHint wrong{"other", "other@lists.example.org"};
  ASSERT_EQ(store(munged("<h1@example.com>", "[PATCH example] one"), right).outcome, Outcome::kPatch);
  ASSERT_EQ(store(munged("<h2@example.com>", "[PATCH example] two"), wrong).outcome, Outcome::kPatch);
  ASSERT_EQ(Ingest(munged("<h3@example.com>", "[PATCH example] three")).outcome, Outcome::kPatch);
  EXPECT_EQ(row("<h1@example.com>"), "one | jane@example.com");
  EXPECT_EQ(row("<h2@example.com>"), "two | jane@example.com");
  EXPECT_EQ(row("<h3@example.com>"), "three | jane@example.com");
  // A hint with the right linkname and another list address: the author
  // is worked out again for the project's own address.
  ASSERT_EQ(store(munged("<h4@example.com>", "[PATCH example] four"), ProjectHint{"example", "x@y.org"}).outcome,
            Outcome::kPatch);
  EXPECT_EQ(row("<h4@example.com>"), "four | jane@example.com");
}

TEST_F(IngestTest, ReplyToUnknownMessageIsHeldNotStored) {
  auto r = Ingest(Mail("<r@example.com>", "Re: something", "text\n", "In-Reply-To: <nope@example.com>\n"));
  EXPECT_EQ(r.outcome, Outcome::kHeld);
  EXPECT_EQ(Count("people"), 0);
  EXPECT_EQ(Count("held_mails"), 1);
  // Delivered again: still one.
  r = Ingest(Mail("<r@example.com>", "Re: something", "text\n", "In-Reply-To: <nope@example.com>\n"));
  EXPECT_EQ(r.outcome, Outcome::kDuplicate);
  EXPECT_EQ(Count("held_mails"), 1);
}

TEST_F(IngestTest, NeitherReplyNorPatchIsDropped) {
  auto r = Ingest(Mail("<plain@example.com>", "just talk", "text\n"));
  EXPECT_EQ(r.outcome, Outcome::kDropped);
  EXPECT_EQ(Count("held_mails"), 0);
}

// Out of order: a review and a reply to the review arrive before the patch
// (a moderated patch, or several ingesters). Both become comments when it
// comes, with their events and tags, as if delivered in order.
TEST_F(IngestTest, HeldRepliesAttachWhenTheirParentArrives) {
  auto review = Mail("<rev@example.com>", "Re: [PATCH] Add world", "Looks good.\n\nAcked-by: Bob <b@x>\n",
                     "In-Reply-To: <p@example.com>\nReferences: <p@example.com>\n");
  auto reply = Mail("<rev2@example.com>", "Re: [PATCH] Add world", "Thanks\n",
                    "In-Reply-To: <rev@example.com>\nReferences: <p@example.com> <rev@example.com>\n");
  auto other = Mail("<x@example.com>", "Re: elsewhere", "hm\n", "In-Reply-To: <elsewhere@example.com>\n");
  EXPECT_EQ(Ingest(reply).outcome, Outcome::kHeld);
  EXPECT_EQ(Ingest(review).outcome, Outcome::kHeld);
  EXPECT_EQ(Ingest(other).outcome, Outcome::kHeld);
  EXPECT_EQ(Count("patch_comments"), 0);

  auto r = Ingest(Mail("<p@example.com>", "[PATCH] Add world", kDiff));
  ASSERT_EQ(r.outcome, Outcome::kPatch) << r.reason;
  EXPECT_EQ(Count("patch_comments"), 2);
  EXPECT_EQ(Count("held_mails"), 1);  // only the unrelated one still waits
  EXPECT_EQ(Count("held_mail_refs"), 1);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM patch_comments WHERE patch_id = ?1", r.id), 2);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT COUNT(*) FROM events WHERE category = 'patch-comment-created'"), 2);
  EXPECT_EQ(*QueryInt(t_.conn(), "SELECT count FROM patch_tags WHERE patch_id = ?1 AND tag_id = 1", r.id), 1);

  // The same mails again change nothing.
  EXPECT_EQ(Ingest(review).outcome, Outcome::kDuplicate);
  EXPECT_EQ(Count("patch_comments"), 2);
}


// An archive import counts the tags of the patches it created as their
// replies are stored, and keeps those counts from one batch to the next on
// SQLite: a reply another process stores in between must still be counted.
TEST_F(IngestTest, BatchTagCountsSeeAReplyAnotherWriterStoredBetweenBatches) {
  IngestCache cache;
  IngestOptions o;
  o.own_transaction = false;
  o.cache = &cache;
  db::Connection& c = t_.conn();
  auto reply = [](const std::string& n) {
    return Mail("<r" + n + "@example.com>", "Re: [PATCH] Add world", "Reviewed-by: R" + n + " <r@x>\n",
                "In-Reply-To: <p@example.com>\nReferences: <p@example.com>\n");
  };
  auto reviewed = [&](db::Id patch) {
    return QueryInt(c, "SELECT count FROM patch_tags WHERE patch_id = ?1 AND tag_id = 2", patch);
  };
  auto begin = [&] {
    c.Begin();
    BatchBegun(c, cache);
  };
  auto commit = [&] {
    RecountDeferredTags(c, cache);
    BatchCommitting(c, cache);
    c.Commit();
    cache.ForgetLockedLookups();
  };

  begin();
  auto p = IngestMail(c, Mail("<p@example.com>", "[PATCH] Add world", "Reviewed-by: Me <m@x>\n\n" + std::string(kDiff)), o);
  ASSERT_EQ(p.outcome, Outcome::kPatch) << p.reason;
  ASSERT_EQ(IngestMail(c, reply("1"), o).outcome, Outcome::kPatchComment);
  commit();
  EXPECT_EQ(reviewed(p.id), 2);
  EXPECT_EQ(cache.tag_matches.contains(p.id), !t_.postgres());

  // Nobody else wrote: the counts carry over (on SQLite).
  begin();
  EXPECT_EQ(cache.tag_matches.contains(p.id), !t_.postgres());
  ASSERT_EQ(IngestMail(c, reply("2"), o).outcome, Outcome::kPatchComment);
  commit();
  EXPECT_EQ(reviewed(p.id), 3);

  // Another connection stores a reply between two batches.
  {
    auto other = db::Open(t_.url());
    ASSERT_EQ(IngestMail(*other, reply("3"), {}).outcome, Outcome::kPatchComment);
  }
  EXPECT_EQ(reviewed(p.id), 4);
  begin();
  EXPECT_TRUE(cache.tag_matches.empty());
  ASSERT_EQ(IngestMail(c, reply("4"), o).outcome, Outcome::kPatchComment);
  commit();
  EXPECT_EQ(reviewed(p.id), 5);
}

// An archive import into a database without mail knows every message id
// it stored (db::KnownMsgids, complete) and looks up no other, from one
// batch to the next on SQLite, but only while nobody else writes: a patch
// another process stores between two batches must be found by its replies
// and as a duplicate. A database that held mail already is never complete.
TEST_F(IngestTest, ImportIntoAnEmptyDatabaseLooksUpWhatAnotherWriterStoredBetweenBatches) {
  IngestCache cache;
  IngestOptions o;
  o.own_transaction = false;
  o.cache = &cache;
  db::Connection& c = t_.conn();
  auto reply = [](const std::string& n, const std::string& parent) {
    return Mail("<r" + n + "@example.com>", "Re: [PATCH] Add world", "Thanks\n",
                "In-Reply-To: " + parent + "\nReferences: " + parent + "\n");
  };
  auto begin = [&] {
    c.Begin();
    BatchBegun(c, cache);
  };
  auto commit = [&] {
    RecountDeferredTags(c, cache);
    BatchCommitting(c, cache);
    c.Commit();
    cache.ForgetLockedLookupsAtCommit();
  };

  begin();
  EXPECT_EQ(cache.known.complete(), !t_.postgres());
  ASSERT_EQ(IngestMail(c, Mail("<p1@example.com>", "[PATCH 1/2] Add world", kDiff), o).outcome, Outcome::kPatch);
  EXPECT_EQ(IngestMail(c, reply("0", "<nowhere@example.com>"), o).outcome, Outcome::kHeld);
  commit();

  // Nobody else wrote: still complete (on SQLite), and what it noted is found.
  begin();
  EXPECT_EQ(cache.known.complete(), !t_.postgres());
  EXPECT_EQ(IngestMail(c, reply("1", "<p1@example.com>"), o).outcome, Outcome::kPatchComment);
  EXPECT_EQ(IngestMail(c, Mail("<p1@example.com>", "[PATCH 1/2] Add world", kDiff), o).outcome,
            Outcome::kDuplicate);
  commit();

  // Another connection stores a patch between two batches.
  {
    auto other = db::Open(t_.url());
    ASSERT_EQ(IngestMail(*other, Mail("<p2@example.com>", "[PATCH 2/2] Add more", kDiff), {}).outcome,
              Outcome::kPatch);
  }
  begin();
  EXPECT_FALSE(cache.known.complete());
  EXPECT_EQ(IngestMail(c, reply("2", "<p2@example.com>"), o).outcome, Outcome::kPatchComment);
  EXPECT_EQ(IngestMail(c, Mail("<p2@example.com>", "[PATCH 2/2] Add more", kDiff), o).outcome,
            Outcome::kDuplicate);
  commit();
  EXPECT_EQ(Count("patch_comments"), 2);

  // A second import: the database holds mail, so nothing is known.
  IngestCache again;
  o.cache = &again;
  c.Begin();
  BatchBegun(c, again);
  EXPECT_FALSE(again.known.complete());
  EXPECT_EQ(IngestMail(c, reply("3", "<p2@example.com>"), o).outcome, Outcome::kPatchComment);
  BatchCommitting(c, again);
  c.Commit();
  again.ForgetLockedLookupsAtCommit();
}

}  // namespace
}  // namespace pb::service
