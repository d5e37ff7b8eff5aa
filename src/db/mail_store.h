// The SQL behind mail ingestion (service/ingest): people, patches, covers,
// comments, series, series references, events, tag counts, failed mails.
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// Spec §2.13 step 6: existing person by email (case-insensitive), else a new
// one; a non-empty name that differs from the stored one replaces it. A new
// row belongs to the active user whose primary e-mail it is, if any.
Id GetOrCreatePerson(Connection& c, std::string_view email, std::string_view name);

// People already looked up or created, by the exact address given, with the
// name stored now. Only valid while the caller holds the write lock (one
// archive batch): nobody else writes people meanwhile. Whoever rolls back a
// write that went through it must clear it.
struct PersonCache {
  std::unordered_map<std::string, Id> id_by_email;
  // By id, since several spellings of an address name one row.
  std::unordered_map<Id, std::optional<std::string>> name_by_id;
  // ASCII addresses, as spelt, that PrefetchPeople found no row for and no
  // person made since can match: a new submitter's row is inserted without
  // the lookup (on a young project's small table a scan lowering every
  // address; docs/performance.md §9o).
  std::unordered_set<std::string> absent;
  void clear() {
    id_by_email.clear();
    name_by_id.clear();
    absent.clear();
  }
};
// GetOrCreatePerson, answering from and filling `cache`: the same rows and
// ids, without a lookup for an address seen before in the batch.
Id GetOrCreatePerson(Connection& c, std::string_view email, std::string_view name,
                     PersonCache& cache);
// Fills `cache` with what GetOrCreatePerson's lookup finds for each of
// `emails` that is stored (the oldest row of any case), in one statement:
// an archive batch's submitters, looked up once it holds the write lock.
// PostgreSQL only (SQLite, without round trips, looks each up).
void PrefetchPeople(Connection& c, const std::vector<std::string>& emails, PersonCache& cache);

// What an archive batch knows, without a round trip, about the message ids
// of its mails and of their references: which of them are certainly not a
// stored patch, cover or comment (of any project), not a series reference,
// and not awaited by a stored comment or a held mail. Loaded in one
// statement once the batch holds the write lock (Load), then kept exact by
// the ingest, which notes every such row it writes (Note*): nobody else
// writes while the lock is held. A message id that was not loaded, or whose
// answer is "maybe", is looked up as before, so the answers are those of
// the lookups. Only a superset of the truth is ever kept (rows the batch
// rolls back stay noted), and it must be cleared whenever the lock may have
// been let go (a commit or rollback). Empty (everything "maybe") where it
// was never loaded: single mails.
//
// Complete (SQLite, StartComplete): an archive import into a database that
// held no mail knows every such row there is, since it wrote them all and
// noted each: an id it never noted is none of these, without a lookup.
// Kept across the import's batches only while nobody else commits in
// between (Suspend at a commit; Resume once the next batch holds the lock
// and PRAGMA data_version says so) and up to kMaxNoted ids.
class KnownMsgids {
 public:
  // PostgreSQL only (elsewhere nothing is loaded): one statement for all
  // of `msgids`, as ids of mails of `project_ids` (series references and
  // awaited ids are kept per project; stored mails are looked for in all).
  void Load(Connection& c, const std::vector<Id>& project_ids, const std::vector<std::string>& msgids);
  void clear() {
    flags_.clear();
    noted_.clear();
    complete_ = suspended_ = false;
  }
  // Complete from now on if the database holds no patch, cover, comment,
  // series reference or awaited id (one statement); called under the
  // write lock, before the import's first mail. Only for SQLite.
  void StartComplete(Connection& c);
  bool complete() const { return complete_; }
  bool suspended() const { return suspended_; }
  // At a commit: everything "maybe" until Resume, or gone if not complete.
  void Suspend() {
    if (!complete_) {
      clear();
      return;
    }
    complete_ = false;
    suspended_ = true;
  }
  // Once the next batch holds the lock and nobody else wrote since Suspend.
  void Resume() {
    complete_ = suspended_;
    suspended_ = false;
  }
  bool MaybeStored(std::string_view msgid) const { return Maybe(msgid, kPatchSide | kCoverSide); }
  // A patch or a comment on one / a cover letter or a comment on one: a
  // reply's references are looked up on the side(s) they may be on
  // (ReferenceLookup), and most replies answer patches only.
  bool MaybePatchSide(std::string_view msgid) const { return Maybe(msgid, kPatchSide); }
  bool MaybeCoverSide(std::string_view msgid) const { return Maybe(msgid, kCoverSide); }
  // series_references holds a message id's first 255 bytes, as
  // SeriesByReference looks it up.
  bool MaybeSeriesReference(std::string_view msgid) const {
    return Maybe(msgid.substr(0, 255), kSeriesReference);
  }
  bool MaybeAwaited(std::string_view msgid) const { return Maybe(msgid, kAwaited); }
  // A patch or patch comment stored, or a cover comment turned one.
  void NotePatchSide(std::string_view msgid) { Note(msgid, kPatchSide); }
  void NoteCoverSide(std::string_view msgid) { Note(msgid, kCoverSide); }
  void NoteSeriesReference(std::string_view msgid) { Note(msgid.substr(0, 255), kSeriesReference); }
  void NoteAwaited(std::string_view msgid) { Note(msgid, kAwaited); }

 private:
  enum : unsigned char { kPatchSide = 1, kSeriesReference = 2, kAwaited = 4, kCoverSide = 8 };
  // About 5 MB of noted ids at most: beyond, the import looks ids up again.
  static constexpr size_t kMaxNoted = 1 << 16;
  // Complete, ids are kept by a hash of their text: two ids of one hash
  // share their flags, which can only make an absent id "maybe".
  static uint64_t Hash(std::string_view msgid) { return std::hash<std::string_view>{}(msgid); }
  bool Maybe(std::string_view msgid, unsigned char flag) const {
    if (complete_) {
      auto it = noted_.find(Hash(msgid));
      return it != noted_.end() && (it->second & flag);
    }
    auto it = flags_.find(std::string(msgid));
    return it == flags_.end() || (it->second & flag);
  }
  // Only a loaded id needs noting: any other is "maybe" already. Complete,
  // every id is noted; suspended, nothing is written until Resume, so a
  // note means the lock was let go unseen: all is forgotten.
  void Note(std::string_view msgid, unsigned char flag) {
    if (suspended_) clear();
    if (complete_) {
      noted_[Hash(msgid)] |= flag;
      if (noted_.size() > kMaxNoted) clear();
      return;
    }
    auto it = flags_.find(std::string(msgid));
    if (it != flags_.end()) it->second |= flag;
  }
  std::unordered_map<std::string, unsigned char> flags_;
  std::unordered_map<uint64_t, unsigned char> noted_;
  bool complete_ = false, suspended_ = false;
};

Id DefaultStateId(Connection& c);  // the state with ordering 0
std::optional<Id> StateIdByName(Connection& c, std::string_view name);  // case-insensitive

struct NewSubmission {
  Id project_id = 0;
  std::string_view msgid, name, headers;
  Micros date = 0;
  Id submitter_id = 0;
  std::optional<std::string_view> content;
};

struct NewPatch : NewSubmission {
  std::optional<std::string_view> diff, pull_url, hash;
  std::optional<Id> delegate_id;
  Id state_id = 0;
  // Set when the series is known before the insert (the ingest assigns it
  // first), so the row is written once: an UPDATE of series_id and number
  // after the insert rewrote the row and every one of patches' indexes.
  std::optional<Id> series_id;
  std::optional<int> number;
};

bool PatchExists(Connection& c, Id project_id, std::string_view msgid);
bool CoverExists(Connection& c, Id project_id, std::string_view msgid);
Id InsertPatch(Connection& c, const NewPatch& p);
Id InsertCover(Connection& c, const NewSubmission& s);

// `addressed`: nullopt = no action required (NULL), false = action required.
// nullopt when the parent has a comment of this message id already; a
// caller that knows it has none (`known_new`: the ingest, which found no
// comment of this message id in the project just before, with nothing
// written since) spares the look-up.
std::optional<Id> InsertPatchComment(Connection& c, Id patch_id, const NewSubmission& s,
                                     std::optional<bool> addressed, bool known_new = false);
std::optional<Id> InsertCoverComment(Connection& c, Id cover_id, const NewSubmission& s,
                                     bool known_new = false);

// Parent lookup for replies (spec §2.17).
std::optional<Id> PatchIdByMsgid(Connection& c, Id project_id, std::string_view msgid);
std::optional<Id> PatchIdOfCommentMsgid(Connection& c, Id project_id, std::string_view msgid);
std::optional<Id> CoverIdByMsgid(Connection& c, Id project_id, std::string_view msgid);
// Whether the project has a patch or a cover letter with this message id:
// both questions in one statement.
bool PatchOrCoverExists(Connection& c, Id project_id, std::string_view msgid);
// Errors (kConflict) when two cover comments share the msgid, as upstream does.
std::optional<Id> CoverIdOfCommentMsgid(Connection& c, Id project_id, std::string_view msgid);
// Spec §2.12: the cover-name test is global across projects; returns the count.
int64_t CountCoversNamed(Connection& c, std::string_view name);

struct SeriesRow {
  Id id = 0;
  std::optional<std::string> name;
  Micros date = 0;
  Id submitter_id = 0;
  int version = 1;
  int total = 1;
  int received_total = 0;
  std::optional<Id> cover_letter_id;
  std::optional<Id> previous_id;  // patchbay extension: the previous revision
};

std::optional<SeriesRow> GetSeries(Connection& c, Id series_id);
// The series whose references include `msgid`.
std::optional<SeriesRow> SeriesByReference(Connection& c, Id project_id, std::string_view msgid);
// Spec §2.15.1 step 2, newest first.
std::vector<SeriesRow> SeriesByMarkers(Connection& c, Id project_id, Id submitter_id, int version,
                                       int total, Micros from, Micros to);
// `name`: the series' name when known at its creation (NULL otherwise).
Id InsertSeries(Connection& c, Id project_id, Micros date, Id submitter_id, int version, int total,
                std::optional<std::string_view> name = std::nullopt);
// No-op when (project, msgid) already maps to a series.
void InsertSeriesReference(Connection& c, Id project_id, Id series_id, std::string_view msgid);
// A new series' own mail or reference (the series dated `date`): as above,
// except that it takes the reference from a series started after `date`,
// which named this message id before the new series arrived; an in-order
// ingest would have given the reference to the new series.
void ClaimSeriesReference(Connection& c, Id project_id, Id series_id, std::string_view msgid,
                          Micros date);
bool SeriesHasNumber(Connection& c, Id series_id, int number);
std::vector<int> SeriesNumbers(Connection& c, Id series_id);  // ascending
void SetSeriesName(Connection& c, Id series_id, std::string_view name);
void SetSeriesCover(Connection& c, Id series_id, Id cover_id);
void SetSeriesPrevious(Connection& c, Id series_id, Id previous_id);
// Earlier revisions that may precede `series`: same project and submitter,
// lower version, not newer; newest version first. Returns (id, name) pairs.
std::vector<std::pair<Id, std::string>> EarlierRevisionCandidates(Connection& c, const SeriesRow& s,
                                                                  Id project_id);
// Later revisions `series` may precede: same project and submitter, higher
// version, not older, named.
std::vector<SeriesRow> LaterRevisionCandidates(Connection& c, const SeriesRow& s, Id project_id);
std::optional<std::string> PatchNameByNumber(Connection& c, Id series_id, int number);
std::optional<Id> PatchIdByNumber(Connection& c, Id series_id, int number);
// Bumps the series' received_total, for a patch inserted into it
// (NewPatch::series_id).
void CountPatchInSeries(Connection& c, Id series_id);
// The same for `counts` patches per series, in one statement on PostgreSQL.
void CountPatchesInSeries(Connection& c, const std::map<Id, int>& counts);

struct Event {
  Id project_id = 0;
  std::string_view category;
  std::optional<Id> patch_id, series_id, cover_id, actor_id;
  std::optional<Id> previous_state_id, current_state_id;
  std::optional<Id> previous_delegate_id, current_delegate_id;
  std::optional<Id> created_check_id, cover_comment_id, patch_comment_id;
};
void InsertEvent(Connection& c, const Event& e);

// Events an archive batch writes together (service::IngestCache::events),
// each with the time it happened (events.date).
struct PendingEvent {
  Event event;
  std::string category;  // what event.category views
  Micros date = 0;
};
// Inserts `events` in their order, ids ascending as single inserts would
// give them; empties it. On PostgreSQL one pipelined INSERT … SELECT FROM
// unnest(arrays) WITH ORDINALITY per call: a batch's ~700 events were as
// many statements, each with its own executor start, parameter binding and
// (migration 11) statement trigger. On SQLite up to 32 rows per INSERT.
void InsertEvents(Connection& c, std::vector<PendingEvent>& events);

struct TagPattern {
  Id id;
  std::string pattern;
};
std::vector<TagPattern> Tags(Connection& c);
bool ProjectUsesTags(Connection& c, Id project_id);
// The patch's own content and its comments' contents, in no set order, each
// handed to `use` as it is read (valid during the call), without copying.
void ForEachPatchText(Connection& c, Id patch_id, const std::function<void(std::string_view)>& use);
// ForEachPatchText for each of `patch_ids`, with the text's patch; on
// PostgreSQL in one statement, not a round trip per patch.
void ForEachPatchesText(Connection& c, const std::vector<Id>& patch_ids,
                        const std::function<void(Id, std::string_view)>& use);
void SetPatchTags(Connection& c, Id patch_id, const std::vector<std::pair<Id, int>>& counts);
// SetPatchTags for each patch of `counts` (patch, its tags' counts); on
// PostgreSQL two statements for all of them instead of a DELETE per patch
// and an INSERT per count.
void SetPatchesTags(Connection& c,
                    const std::vector<std::pair<Id, std::vector<std::pair<Id, int>>>>& counts);

// Keeps a mail that could not be stored, verbatim, with the reason.
Id InsertFailedMail(Connection& c, std::string_view raw, std::string_view reason,
                    std::string_view msgid, std::string_view list_id);

// Marks that data changed, so readers' cached counts go stale (any process).
void BumpGeneration(Connection& c);

}  // namespace pb::db
