// What an archive batch looks up at once (service::PrefetchBatch) must give
// the answers of the per-mail look-ups it saves: db::KnownMsgids may only
// say "none" of an id that is no stored mail, series reference or awaited
// id (in the batch's projects), and db::PrefetchPeople may only fill the
// PersonCache with what GetOrCreatePerson's look-up finds. Both load
// nothing on SQLite, where every answer stays "maybe" and every address is
// looked up.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "db/mail_store.h"
#include "test_util.h"

namespace pb::db {
namespace {

struct Fixture {
  testing::TempDb t;
  Id project = 0, other = 0, patch = 0, series = 0;

  Fixture() {
    auto& c = t.conn();
    auto projects = testing::InsertTwoProjects(c);
    project = projects.p;
    other = projects.q;
    Id person = GetOrCreatePerson(c, "Ann@example.org", "Ann");
    series = InsertSeries(c, project, 1, person, 1, 2);
    NewPatch p;
    p.project_id = project;
    p.msgid = "<patch@x>";
    p.name = "a patch";
    p.headers = "";
    p.date = 1;
    p.submitter_id = person;
    p.state_id = DefaultStateId(c);
    p.series_id = series;
    p.number = 1;
    patch = InsertPatch(c, p);
    NewSubmission s;
    s.project_id = project;
    s.msgid = "<comment@x>";
    s.headers = "";
    s.date = 2;
    s.submitter_id = person;
    InsertPatchComment(c, patch, s, std::nullopt).value();
    s.msgid = "<cover@x>";
    s.name = "a cover";
    InsertCover(c, s);
    InsertSeriesReference(c, project, series, "<ref@x>");
    // A reference as long as series_references cuts it: stored by its first
    // 255 bytes.
    InsertSeriesReference(c, project, series, "<" + std::string(300, 'l') + ">");
    // Awaited in the other project only.
    Query(c, "INSERT INTO comment_refs (project_id, msgid, comment_msgid) VALUES (?1, ?2, ?3)", other,
          "<awaited@x>", "<c@x>")
        .Run();
    c.Sync();
  }
};

TEST(KnownMsgids, NoneOnlyForWhatIsNone) {
  Fixture f;
  auto& c = f.t.conn();
  const std::string long_ref = "<" + std::string(300, 'l') + ">";
  KnownMsgids known;
  known.Load(c, {f.project}, {"<patch@x>", "<comment@x>", "<cover@x>", "<ref@x>", "<nothing@x>",
                              "<awaited@x>", long_ref, long_ref.substr(0, 255), "<held@x>"});
  // Stored, and referenced, ids are "maybe" on either backend.
  for (const char* id : {"<patch@x>", "<comment@x>", "<cover@x>"}) EXPECT_TRUE(known.MaybeStored(id)) << id;
  EXPECT_TRUE(known.MaybeSeriesReference("<ref@x>"));
  // Looked up by its first 255 bytes, as stored.
  EXPECT_TRUE(known.MaybeSeriesReference(long_ref));
  // Never loaded: "maybe".
  EXPECT_TRUE(known.MaybeStored("<elsewhere@x>"));
  EXPECT_TRUE(known.MaybeAwaited("<elsewhere@x>"));
  const bool pg = f.t.postgres();
  // Loaded and none of these (awaited only in a project the batch does not
  // write): "none" on PostgreSQL, "maybe" on SQLite.
  EXPECT_EQ(known.MaybeStored("<nothing@x>"), !pg);
  EXPECT_EQ(known.MaybeSeriesReference("<nothing@x>"), !pg);
  EXPECT_EQ(known.MaybeAwaited("<nothing@x>"), !pg);
  EXPECT_EQ(known.MaybeAwaited("<awaited@x>"), !pg);
  EXPECT_EQ(known.MaybeStored("<ref@x>"), !pg);
  EXPECT_EQ(known.MaybeSeriesReference("<patch@x>"), !pg);
  // The side of a stored id: patches and their comments, covers and theirs.
  EXPECT_TRUE(known.MaybePatchSide("<patch@x>"));
  EXPECT_TRUE(known.MaybePatchSide("<comment@x>"));
  EXPECT_TRUE(known.MaybeCoverSide("<cover@x>"));
  EXPECT_EQ(known.MaybeCoverSide("<patch@x>"), !pg);
  EXPECT_EQ(known.MaybeCoverSide("<comment@x>"), !pg);
  EXPECT_EQ(known.MaybePatchSide("<cover@x>"), !pg);
  EXPECT_TRUE(known.MaybePatchSide("<elsewhere@x>"));
  EXPECT_TRUE(known.MaybeCoverSide("<elsewhere@x>"));
  // What the batch writes afterwards is noted, and then "maybe" on its side.
  known.NotePatchSide("<nothing@x>");
  EXPECT_TRUE(known.MaybePatchSide("<nothing@x>"));
  EXPECT_EQ(known.MaybeCoverSide("<nothing@x>"), !pg);
  known.NoteCoverSide("<ref@x>");
  EXPECT_TRUE(known.MaybeStored("<ref@x>"));
  EXPECT_TRUE(known.MaybeCoverSide("<ref@x>"));
  EXPECT_EQ(known.MaybePatchSide("<ref@x>"), !pg);
  // A cover comment turned patch comment (service/comment_homes.cc).
  known.NotePatchSide("<cover@x>");
  EXPECT_TRUE(known.MaybePatchSide("<cover@x>"));
  known.NoteSeriesReference(long_ref + "more");  // the same first 255 bytes
  known.NoteAwaited("<held@x>");
  EXPECT_TRUE(known.MaybeStored("<nothing@x>"));
  EXPECT_TRUE(known.MaybeAwaited("<held@x>"));
  EXPECT_TRUE(known.MaybeSeriesReference(long_ref + "other"));
  known.clear();
  EXPECT_TRUE(known.MaybeAwaited("<awaited@x>"));
}

TEST(KnownMsgids, PrefetchedPeopleAreWhatTheLookupFinds) {
  Fixture f;
  auto& c = f.t.conn();
  // Two rows one address matches case-insensitively: the look-up takes the
  // older one.
  Id older = GetOrCreatePerson(c, "Bob@example.org", "Bob");
  Query(c, "INSERT INTO people (email, name) VALUES ('bob@example.org', 'Robert')").Run();
  c.Sync();
  PersonCache cache;
  PrefetchPeople(c, {"BOB@example.org", "ann@example.org", "new@example.org", "BOB@example.org"}, cache);
  if (!f.t.postgres()) {
    EXPECT_TRUE(cache.id_by_email.empty());
    return;
  }
  EXPECT_EQ(cache.id_by_email.size(), 2u);
  EXPECT_EQ(cache.id_by_email.at("BOB@example.org"), older);
  EXPECT_EQ(cache.name_by_id.at(older), std::optional<std::string>("Bob"));
  // Through the cache: the same ids as without it, and no row more.
  c.Begin();
  EXPECT_EQ(GetOrCreatePerson(c, "BOB@example.org", "Bob", cache), older);
  Id ann = GetOrCreatePerson(c, "ann@example.org", "Ann", cache);
  c.Commit();
  EXPECT_EQ(ann, GetOrCreatePerson(c, "Ann@example.org", ""));
  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM people").value(), 3);
}

// Re-homing asks it of every mail that stored comments await: the two
// look-ups it replaces (PatchIdByMsgid, CoverIdByMsgid) answer per project,
// and a comment's message id is neither.
TEST(PatchOrCoverExists, OnlyAPatchOrCoverOfTheProject) {
  Fixture f;
  auto& c = f.t.conn();
  EXPECT_TRUE(PatchOrCoverExists(c, f.project, "<patch@x>"));
  EXPECT_TRUE(PatchOrCoverExists(c, f.project, "<cover@x>"));
  EXPECT_FALSE(PatchOrCoverExists(c, f.project, "<comment@x>"));
  EXPECT_FALSE(PatchOrCoverExists(c, f.project, "<nothing@x>"));
  EXPECT_FALSE(PatchOrCoverExists(c, f.other, "<patch@x>"));
  EXPECT_FALSE(PatchOrCoverExists(c, f.other, "<cover@x>"));
}

}  // namespace
}  // namespace pb::db
