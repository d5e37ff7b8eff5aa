#include "service/ingest.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <functional>
#include <stdexcept>

#include "core/event_trace.h"
#include "core/strings.h"
#include "db/bulk_load.h"
#include "db/comment_homes.h"
#include "db/held_mails.h"
#include "db/mail_store.h"
#include "db/patches.h"
#include "db/projects.h"
#include "db/read/events_read.h"
#include "db/savepoints.h"
#include "db/superseding.h"
#include "db/users.h"
#include "service/comment_homes.h"
#include "service/dependencies.h"
#include "service/pattern.h"
#include "service/superseding.h"
#include "parser/parsed_mail.h"

namespace pb::service {
namespace {

using db::Id;
using parser::ParsedMail;

// NUL bytes cannot be stored in a PostgreSQL text column (upstream on
// PostgreSQL loses such a mail to an exception), and nothing a reader wants
// is in them. They are dropped from every text field before storing, on
// SQLite too, so a mail is stored the same, and not lost, on both backends.
// The parser keeps them (its output matches upstream's parser); the raw
// mail, where kept (held and failed mails), stays as it came (a blob).
// Almost no mail has one: a memchr over each field first, so the common
// case costs a scan at memory speed instead of a byte-by-byte copy loop.
void DropNuls(std::string& s) {
  if (s.find('\0') != std::string::npos) std::erase(s, '\0');
}
void DropNuls(std::optional<std::string>& s) {
  if (s) DropNuls(*s);
}
void DropNuls(std::vector<std::string>& v) {
  for (auto& s : v) DropNuls(s);
}
void DropNuls(ParsedMail& m) {
  for (std::string* s : {&m.msgid, &m.subject, &m.name, &m.headers, &m.from, &m.hint,
                         &m.delegate_email, &m.state_name, &m.original_from, &m.raw_subject}) {
    DropNuls(*s);
  }
  DropNuls(m.refs);
  DropNuls(m.prefixes);
  DropNuls(m.list_ids);
  DropNuls(m.reply_to);
  DropNuls(m.cc);
  DropNuls(m.diff);
  DropNuls(m.content);
  DropNuls(m.pull_url);
}

constexpr Micros kSeriesDelay = 20LL * 60 * 1000000;  // SERIES_DELAY_INTERVAL, 20 minutes

// A held reply whose parent never comes goes after this long, and the
// oldest go first past this many (most are replies to discussions that
// were never patches). Checked every kExpireEvery holds: counting costs.
constexpr Micros kHoldFor = 30LL * 24 * 3600 * 1000000;
constexpr int64_t kMaxHeld = 100000;
constexpr int kExpireEvery = 256;


// Python re.search(subject_match, subject, re.M | re.I), through RE2 on a
// bounded prefix of the subject (service/pattern.h).
bool SubjectMatches(const std::string& pattern, const std::string& subject) {
  return PatternSearch(pattern, subject);
}

// Spec §2.5: the first project with this list id whose subject_match matches,
// else the one with an empty subject_match.
std::optional<db::ProjectRow> ProjectForListId(db::Connection& c, std::string_view list_id,
                                               const std::string& subject, IngestCache* cache) {
  std::vector<db::ProjectRow> uncached;
  const std::vector<db::ProjectRow>* projects = &uncached;
  if (cache) {
    auto it = cache->projects_by_listid.find(std::string(list_id));
    if (it == cache->projects_by_listid.end()) {
      it = cache->projects_by_listid.emplace(std::string(list_id), db::FindProjectsByListId(c, list_id)).first;
    }
    projects = &it->second;
  } else {
    uncached = db::FindProjectsByListId(c, list_id);
  }
  std::optional<db::ProjectRow> fallback;
  for (const auto& p : *projects) {
    if (p.subject_match.empty()) {
      if (!fallback) fallback = p;
      continue;
    }
    if (SubjectMatches(p.subject_match, subject)) return p;
  }
  return fallback;
}

std::optional<db::ProjectRow> FindProjectForMail(db::Connection& c, const ParsedMail& m,
                                                 const std::string& list_id_override,
                                                 IngestCache* cache) {
  if (!list_id_override.empty()) return ProjectForListId(c, list_id_override, m.subject, cache);
  for (const auto& id : m.list_ids) {
    if (auto p = ProjectForListId(c, id, m.subject, cache)) return p;
  }
  return std::nullopt;
}

// Spec §2.14: a delegate only when every touched file matches a rule and all
// those rules name the same user.
std::optional<Id> DelegateFromRules(db::Connection& c, Id project_id, std::string_view diff,
                                    IngestCache* cache) {
  std::vector<db::DelegationRule> uncached;
  const std::vector<db::DelegationRule>* found = &uncached;
  if (cache) {
    auto it = cache->delegation_rules.find(project_id);
    if (it == cache->delegation_rules.end()) {
      it = cache->delegation_rules.emplace(project_id, db::DelegationRules(c, project_id)).first;
    }
    found = &it->second;
  } else {
    uncached = db::DelegationRules(c, project_id);
  }
  const auto& rules = *found;
  if (rules.empty()) return std::nullopt;
  std::optional<Id> user;
  for (const auto& file : parser::DiffFileNames(diff)) {
    std::optional<Id> match;
    for (const auto& r : rules) {
      if (fnmatch(r.path.c_str(), file.c_str(), 0) == 0) {
        match = r.user_id;
        break;
      }
    }
    if (!match || (user && *user != *match)) return std::nullopt;
    user = match;
  }
  return user;
}

const std::vector<std::pair<Id, std::string>>& NoTags() {
  static const std::vector<std::pair<Id, std::string>> none;
  return none;
}

// The tag patterns, read into `tags` at the first call (once per archive
// import, in its IngestCache, or once per mail).
const std::vector<std::pair<Id, std::string>>& TagPatternsIn(
    db::Connection& c, std::optional<std::vector<std::pair<Id, std::string>>>& tags) {
  if (!tags) {
    tags.emplace();
    for (auto& t : db::Tags(c)) tags->emplace_back(t.id, std::move(t.pattern));
  }
  return *tags;
}

// Thrown inside the transaction scope to end it with a non-stored outcome.
struct Stop {
  Outcome outcome;
  std::string reason;
};

class Ingester {
 public:
  // `diff_hash`: parser::HashDiff of the mail's diff when already known.
  // `author`: parser::ParseAuthor of the mail for this project when already known.
  Ingester(db::Connection& c, ParsedMail& m, const db::ProjectRow& project, IngestCache* cache,
           std::string_view diff_hash = {}, const Result<parser::Author>* author = nullptr)
      : c_(c), m_(m), project_(project), cache_(cache), diff_hash_(diff_hash), author_(author),
        date_(m.date.value_or(NowMicros())) {}

  IngestResult Run() {
    const bool is_patch = !m_.is_comment && (m_.diff || m_.pull_url);
    if (is_patch) return StorePatch();
    if (m_.series_x && *m_.series_x == 0 && !m_.is_comment) {
      // Upstream files a cover letter that has references and a name
      // already used as a comment on the cover it refers to, so feeding the
      // same archive twice (the recovery after a crash) added its own cover
      // letters again as comments. A stored cover is a duplicate instead.
      if (MaybeStored(m_.msgid) && db::CoverExists(c_, project_.id, m_.msgid)) {
        throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
      }
      if (m_.refs.empty() || db::CountCoversNamed(c_, m_.name) == 0) return StoreCover();
    }
    return StoreComment();
  }

 private:
  // False only for a message id the batch knows is no stored mail, series
  // reference or awaited id (IngestCache::known): the lookup is skipped.
  bool MaybeStored(std::string_view msgid) const { return !cache_ || cache_->known.MaybeStored(msgid); }
  bool MaybeSeriesReference(std::string_view msgid) const {
    return !cache_ || cache_->known.MaybeSeriesReference(msgid);
  }
  // What this mail writes that the lookups above answer for.
  void NoteStored(bool cover_side) {
    if (!cache_) return;
    if (cover_side) cache_->known.NoteCoverSide(m_.msgid);
    else cache_->known.NotePatchSide(m_.msgid);
  }

  Id Author() {
    std::optional<Result<parser::Author>> parsed;
    const Result<parser::Author>* author = author_;
    if (!author) author = &parsed.emplace(parser::ParseAuthor(m_, project_.listemail));
    if (!author->ok()) throw std::runtime_error(author->status().message());
    const parser::Author& a = **author;
    if (cache_) return db::GetOrCreatePerson(c_, a.email, a.name, cache_->people);
    return db::GetOrCreatePerson(c_, a.email, a.name);
  }

  db::NewSubmission Submission(Id submitter) const {
    db::NewSubmission s;
    s.project_id = project_.id;
    s.msgid = m_.msgid;
    s.name = m_.name;
    s.headers = m_.headers;
    s.date = date_;
    s.submitter_id = submitter;
    if (m_.content) s.content = *m_.content;
    return s;
  }

  void Event(std::string_view category, std::optional<Id> patch, std::optional<Id> series,
             std::optional<Id> cover = std::nullopt) {
    db::Event e;
    e.project_id = project_.id;
    e.category = category;
    e.patch_id = patch;
    e.series_id = series;
    e.cover_id = cover;
    if (deferring_) {
      deferred_.push_back([this, e] { PutEvent(e); });
      return;
    }
    PutEvent(e);
  }

  // An event of this mail: written now, or with the batch's others.
  void PutEvent(const db::Event& e) {
    if (cache_ && cache_->buffer_events) {
      cache_->events.push_back({e, std::string(e.category), NowMicros()});
      return;
    }
    db::InsertEvent(c_, e);
  }

  // A patch's series is settled before the patch is inserted (so the row is
  // written once, with its series and number), but the events keep the order
  // of an insert first: patch-created, then whatever the assignment caused
  // (series-created, the superseding of earlier revisions). Those wait here
  // until the patch-created event is written. Nothing they write is read by
  // the assignment: superseding changes patches of earlier revisions only.
  void RunDeferred() {
    deferring_ = false;
    for (auto& f : deferred_) f();
    deferred_.clear();
  }

  // Spec §2.15.1.
  std::vector<db::SeriesRow> FindSeries(Id submitter) {
    // A series that names this mail's own Message-ID was threaded to it
    // (a later revision sent in reply to it): joined as upstream does, even
    // when it is another revision; upstream's golden ingest holds such a
    // join (docs/compatibility.md).
    if (MaybeSeriesReference(m_.msgid)) {
      if (auto s = db::SeriesByReference(c_, project_.id, m_.msgid)) return {*s};
    }
    for (const auto& id : m_.refs) {
      if (auto s = SeriesByReference(id, /*late_cover=*/false)) return {*s};
    }
    return db::SeriesByMarkers(c_, project_.id, submitter, m_.version, m_.series_n.value_or(0),
                               date_ - kSeriesDelay, date_ + kSeriesDelay);
  }

  // The series a reference (an ancestor) names, unless it is another
  // revision sent apart from this mail. For a patch: another version started more than
  // SERIES_DELAY_INTERVAL before or after it, which upstream means to skip
  // (parser.py `_find_series_by_references`; its test `start_date >
  // series.date > end_date` can never be true, so upstream joins whatever
  // the reference names, and mails of different versions sent together,
  // which its fixtures expect joined, still are). Followed, such a
  // reference made the result depend on delivery order: a v1 patch arriving
  // after the v2 threaded to it joined the v2, and a v2 patch arriving
  // before its own cover letter joined the v1 when its number was free. An
  // earlier revision skipped this way is kept as the previous revision. For
  // a cover letter: another version started after it (a v2 in reply to a
  // v1 cover that arrives late).
  std::optional<db::SeriesRow> SeriesByReference(std::string_view msgid, bool late_cover) {
    if (!MaybeSeriesReference(msgid)) return std::nullopt;
    auto s = db::SeriesByReference(c_, project_.id, msgid);
    if (!s || s->version == m_.version) return s;
    if (late_cover) {
      if (s->date > date_) return std::nullopt;
    } else if (s->date > date_ + kSeriesDelay || s->date < date_ - kSeriesDelay) {
      if (s->version < m_.version && !referenced_revision_) referenced_revision_ = s->id;
      return std::nullopt;
    }
    return s;
  }

  Id CreateSeries(Id submitter, int total, bool with_references,
                 std::optional<std::string_view> name = std::nullopt) {
    Id sid = db::InsertSeries(c_, project_.id, date_, submitter, m_.version, total, name);
    Event("series-created", std::nullopt, sid);
    // A reference held by a series started later goes to this one: in
    // order, this series would have taken it first.
    if (with_references) {
      for (const auto& ref : m_.refs) {
        db::ClaimSeriesReference(c_, project_.id, sid, ref, date_);
        if (cache_) cache_->known.NoteSeriesReference(ref);
      }
    }
    db::ClaimSeriesReference(c_, project_.id, sid, m_.msgid, date_);
    if (cache_) cache_->known.NoteSeriesReference(m_.msgid);
    return sid;
  }

  IngestResult StorePatch() {
    // Before Author(), which may insert a person: a duplicate then stops
    // with nothing written, which an archive batch without a per-mail
    // savepoint need not undo.
    if (MaybeStored(m_.msgid) && db::PatchExists(c_, project_.id, m_.msgid)) {
      throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
    }
    Id submitter = Author();
    std::optional<Id> delegate;
    if (!m_.delegate_email.empty()) {
      delegate = db::FindUserIdByEmail(c_, m_.delegate_email);
    } else if (m_.diff) {
      delegate = DelegateFromRules(c_, project_.id, *m_.diff, cache_);
    }
    std::optional<Id> state;
    if (!m_.state_name.empty()) state = db::StateIdByName(c_, m_.state_name);
    if (!state) {
      if (cache_ && cache_->default_state) {
        state = cache_->default_state;
      } else {
        state = db::DefaultStateId(c_);
        if (cache_) cache_->default_state = state;
      }
    }

    db::NewPatch p;
    static_cast<db::NewSubmission&>(p) = Submission(submitter);
    // A patch with a diff and no message text has content '' upstream, not NULL.
    if (!p.content) p.content = std::string_view();
    std::string hash;
    if (m_.diff) {
      p.diff = *m_.diff;
      if (diff_hash_.empty()) hash = parser::HashDiff(*m_.diff);
      p.hash = diff_hash_.empty() ? std::string_view(hash) : diff_hash_;
    }
    if (m_.pull_url) p.pull_url = *m_.pull_url;
    p.delegate_id = delegate;
    p.state_id = *state;
    deferring_ = true;
    auto placed = AssignSeries(submitter);
    if (placed) {
      p.series_id = placed->series->id;
      p.number = placed->number;
    }
    Id patch_id = db::InsertPatch(c_, p);
    NoteStored(/*cover_side=*/false);
    deferring_ = false;
    Event("patch-created", patch_id, std::nullopt);
    RunDeferred();
    std::optional<Id> sid;
    if (placed) {
      sid = placed->series->id;
      AddedToSeries(patch_id, *placed);
    }
    if (m_.content && sid) RecordDependencies(c_, project_.id, *sid, *m_.content);
    TagNewPatch(patch_id);
    return {Outcome::kPatch, patch_id, m_.msgid, "", 0};
  }

  // A new patch has no replies yet: its tag counts come from its own text
  // alone, and there are no old rows to replace. Its replies in this batch
  // add theirs to the same matches (StoreComment), so the batch's recount
  // reads none of these texts back.
  void TagNewPatch(db::Id patch_id) {
    // Without a cache nothing is kept, and no text means no rows.
    if (!project_.use_tags || (!m_.content && !cache_)) return;
    const auto& tags = TagPatterns();
    std::vector<int> n(tags.size(), 0);
    // Stored as '' when there is none.
    if (m_.content) AddTagMatches(tags, *m_.content, n);
    for (size_t i = 0; i < tags.size(); ++i) {
      if (n[i] > 0) db::InsertPatchTagCount(c_, patch_id, tags[i].first, n[i]);
    }
    if (cache_) cache_->tag_matches[patch_id] = std::move(n);
  }

  const std::vector<std::pair<db::Id, std::string>>& TagPatterns() {
    return TagPatternsIn(c_, cache_ ? cache_->tags : tags_);
  }



  // Where a new patch goes: its series as read before the patch joined it
  // (named by it if it is number 1 of an unnamed one), and its number.
  struct Placement {
    std::optional<db::SeriesRow> series;
    int number = 0;
    // The series' patch numbers before this patch, when the assignment
    // read them (or knows them: a new series has none), so AddedToSeries
    // need not read them again.
    std::optional<std::vector<int>> numbers_before;
  };

  // Spec §2.15. Writers are serialised by the transaction, so upstream's
  // retry loop for concurrent deliveries is not needed: the candidate list
  // cannot change under us.
  // Runs before the patch is inserted; returns the series the patch joins
  // (none for number 0). The patch is not yet in any series when this
  // reads, as it was not before the insert set its series.
  std::optional<Placement> AssignSeries(Id submitter) {
    int x = m_.series_x.value_or(1);
    int n = m_.series_n.value_or(0);
    std::optional<db::SeriesRow> series;
    // Whether `series` has no patch numbered x (known when a candidate was
    // chosen for that), and its numbers when read.
    bool free = false;
    std::optional<std::vector<int>> numbers;
    if (n != 0) {
      auto cands = FindSeries(submitter);
      if (cands.size() == 1) {
        series = cands[0];
      } else if (cands.size() > 1) {
        for (const auto& s : cands) {
          if (!db::SeriesHasNumber(c_, s.id, x)) {
            series = s;
            free = true;
            break;
          }
        }
      }
    } else {
      x = n = 1;
    }
    if (series && !free) {
      // One read for the test and for AddedToSeries' completeness check.
      numbers = db::SeriesNumbers(c_, series->id);
      free = !std::binary_search(numbers->begin(), numbers->end(), x);
    }
    if (!series || !free) {
      // Number 1 names the series it joins (JoinSeries): a series it
      // creates is named in its INSERT instead, one write of the row, not
      // an insert and an UPDATE (which on PostgreSQL re-checked the new
      // row's foreign keys). Nothing reads the name in between: the
      // revision linked below supersedes only after the patch is stored.
      const bool named = x == 1;
      Id sid = CreateSeries(submitter, n, /*with_references=*/true,
                            named ? std::optional<std::string_view>(m_.name) : std::nullopt);
      // A v2 threaded to v1 finds v1 through its references: that is its
      // previous revision.
      if (series && series->version < m_.version) {
        LinkRevision(sid, series->id);
      } else if (referenced_revision_) {
        LinkRevision(sid, *referenced_revision_);
      }
      if (x == 0) return std::nullopt;
      // Read back: the assignment may have linked a previous revision.
      // A new series has no patches.
      auto created = db::GetSeries(c_, sid).value();
      if (named) {
        // What JoinSeries does after naming it.
        LinkRevisions(created);
        return Placement{std::move(created), x, std::vector<int>{}};
      }
      return JoinSeries(std::move(created), x, std::vector<int>{});
    }
    if (x == 0) return std::nullopt;
    // The row as FindSeries read it: nothing wrote to it since.
    return JoinSeries(std::move(*series), x, std::move(numbers));
  }

  // What joining series `s` as number `x` does before the patch's row
  // exists.
  Placement JoinSeries(db::SeriesRow s, int x, std::optional<std::vector<int>> numbers_before) {
    Id sid = s.id;
    // An empty name counts as none, as Python's "not self.name" does.
    if ((!s.name || s.name->empty()) && x == 1) {
      db::SetSeriesName(c_, sid, m_.name);
      s.name = m_.name;
      LinkRevisions(s);
    }
    return {std::move(s), x, std::move(numbers_before)};
  }

  // And what it does once the patch is stored in the series.
  void AddedToSeries(Id patch_id, const Placement& placed) {
    const db::SeriesRow& s = *placed.series;
    Id sid = s.id;
    int x = placed.number;
    // Patches counted into this series earlier in the batch, not written yet.
    int waiting = 0;
    if (cache_ && cache_->buffer_events) {
      waiting = cache_->series_counts[sid]++;
    } else {
      db::CountPatchInSeries(c_, sid);
    }

    // Spec §1.5 patch-completed: this patch once 1..x-1 are all present, then
    // each consecutive successor already present.
    std::vector<int> numbers;
    if (placed.numbers_before) {
      numbers = *placed.numbers_before;
      numbers.insert(std::upper_bound(numbers.begin(), numbers.end(), x), x);
    } else {
      numbers = db::SeriesNumbers(c_, sid);
    }
    auto present = [&](int k) { return std::binary_search(numbers.begin(), numbers.end(), k); };
    bool complete = true;
    for (int k = 1; k < x && complete; ++k) complete = present(k);
    if (complete) {
      Event("patch-completed", patch_id, sid);
      for (int k = x + 1; present(k); ++k) {
        Event("patch-completed", db::PatchIdByNumber(c_, sid, k), sid);
      }
    }
    if (s.received_total + waiting + 1 >= s.total) Event("series-completed", std::nullopt, sid);
  }

  IngestResult StoreCover() {
    Id submitter = Author();
    std::optional<Id> sid;
    if (auto s = SeriesByReference(m_.msgid, /*late_cover=*/true)) sid = s->id;
    if (!sid) sid = CreateSeries(submitter, m_.series_n.value_or(1), /*with_references=*/false);
    if (MaybeStored(m_.msgid) && db::CoverExists(c_, project_.id, m_.msgid)) {
      throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
    }
    Id cover_id = db::InsertCover(c_, Submission(submitter));
    NoteStored(/*cover_side=*/true);
    Event("cover-created", std::nullopt, std::nullopt, cover_id);
    AddCoverLetter(*sid, cover_id);
    if (m_.content) RecordDependencies(c_, project_.id, *sid, *m_.content);
    return {Outcome::kCover, cover_id, m_.msgid, "", 0};
  }

  // Spec §2.16 add_cover_letter.
  void AddCoverLetter(Id sid, Id cover_id) {
    auto s = db::GetSeries(c_, sid).value();
    if (s.cover_letter_id) return;
    db::SetSeriesCover(c_, sid, cover_id);
    std::string derived = CoverDerivedName(m_.name);
    bool rename = !s.name || s.name->empty();
    if (!rename) {
      auto first = db::PatchNameByNumber(c_, sid, 1);
      rename = first && *first == *s.name;
    }
    if (rename) {
      db::SetSeriesName(c_, sid, derived);
      s.name = derived;
      LinkRevisions(s);
    }
  }

  // patchbay extension: a series of version N > 1 links to the newest earlier
  // revision by the same submitter whose name, without its [prefixes], is the
  // same. Upstream has no notion of revisions; users ask for it. A revision
  // that arrives after a later one also becomes that one's previous when an
  // in-order ingest would have chosen it: the later one has none yet, or one
  // of the same name that ranks below it (lower version, or older).
  void LinkRevisions(const db::SeriesRow& s) {
    if (!s.name) return;
    std::string want = CoverDerivedName(*s.name);
    if (s.version > 1 && !s.previous_id) {
      for (const auto& [id, name] : db::EarlierRevisionCandidates(c_, s, project_.id)) {
        if (CoverDerivedName(name) == want) {
          LinkRevision(s.id, id);
          break;
        }
      }
    }
    for (const auto& later : db::LaterRevisionCandidates(c_, s, project_.id)) {
      if (!later.name || CoverDerivedName(*later.name) != want) continue;
      if (later.previous_id) {
        auto previous = db::GetSeries(c_, *later.previous_id);
        if (previous && (!previous->name || CoverDerivedName(*previous->name) != want)) continue;
        if (previous && (previous->version > s.version ||
                         (previous->version == s.version && previous->date >= s.date))) {
          continue;
        }
      }
      LinkRevision(later.id, s.id);
    }
  }

  // With the project's supersede_revisions on, the new revision supersedes
  // the earlier ones' patches in this mail's transaction.
  void LinkRevision(Id sid, Id previous) {
    db::SetSeriesPrevious(c_, sid, previous);
    if (deferring_) {
      deferred_.push_back([this, sid] { Supersede(sid); });
      return;
    }
    Supersede(sid);
  }

  // Superseding writes events of its own (after those waiting). Most
  // projects do not supersede: then nothing is written, and the waiting
  // events stay waiting (a flush here had cut a batch's multi-row event
  // INSERTs into pieces at every revision link).
  void Supersede(Id sid) {
    if (!db::ProjectSupersedesRevisions(c_, project_.id)) return;
    if (cache_) FlushEvents(c_, *cache_);
    SupersedeEarlierRevisions(c_, sid);
  }

  static std::string CoverDerivedName(std::string_view name) {
    if (!name.empty() && name.front() == '[') {
      size_t close = name.find(']');
      if (close != std::string_view::npos) {
        std::string_view rest = name.substr(close + 1);
        size_t i = 0;
        while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
        return std::string(rest.substr(i));
      }
    }
    size_t b = 0, e = name.size();
    while (b < e && std::isspace(static_cast<unsigned char>(name[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(name[e - 1]))) --e;
    return std::string(name.substr(b, e - b));
  }

  IngestResult StoreComment() {
    auto home = FindCommentHome(c_, project_.id, m_.refs, cache_ ? &cache_->known : nullptr);
    if (!home) {
      if (!m_.refs.empty()) throw Stop{Outcome::kHeld, "a reply to a mail not stored (yet)"};
      throw Stop{Outcome::kDropped, "not a patch, cover letter or reply to a known one"};
    }
    // Stored already, perhaps under another parent it moved to since.
    // None found means the parent has none either: its insert need not ask.
    if (MaybeStored(m_.msgid) && db::CommentExists(c_, project_.id, m_.msgid)) {
      throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
    }
    Id submitter = Author();
    IngestResult r{Outcome::kPatchComment, 0, m_.msgid, "", 0};
    db::Event e;
    e.project_id = project_.id;
    if (home->on_patch) {
      std::optional<bool> addressed;
      if (m_.action_required) addressed = false;
      auto cid = db::InsertPatchComment(c_, home->id, Submission(submitter), addressed, /*known_new=*/true);
      if (!cid) throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
      e.category = "patch-comment-created";
      e.patch_id = home->id;
      e.patch_comment_id = r.id = *cid;
    } else {
      auto cid = db::InsertCoverComment(c_, home->id, Submission(submitter), /*known_new=*/true);
      if (!cid) throw Stop{Outcome::kDuplicate, "Duplicate mail for message ID " + m_.msgid};
      r.outcome = Outcome::kCoverComment;
      e.category = "cover-comment-created";
      e.cover_id = home->id;
      e.cover_comment_id = r.id = *cid;
    }
    NoteStored(/*cover_side=*/!home->on_patch);
    PutEvent(e);
    // The home is a patch of this mail's project.
    if (home->on_patch) {
      if (cache_) {
        if (project_.use_tags) {
          const auto& tags = TagPatterns();  // read while the batch is open
          auto counted = cache_->tag_matches.find(home->id);
          if (counted != cache_->tag_matches.end() && m_.content) {
            AddTagMatches(tags, *m_.content, counted->second);
          }
        }
        cache_->tag_recounts.emplace(home->id, project_.use_tags);
      } else {
        RecountTags(c_, home->id, project_.use_tags, project_.use_tags ? TagPatterns() : NoTags());
      }
    }
    db::AwaitRefs(c_, project_.id, m_.msgid, home->awaited);
    if (cache_) {
      for (const auto& ref : home->awaited) cache_->known.NoteAwaited(ref);
    }
    return r;
  }

  db::Connection& c_;
  ParsedMail& m_;
  const db::ProjectRow& project_;
  IngestCache* cache_;
  std::string_view diff_hash_;
  const Result<parser::Author>* author_;
  Micros date_;
  std::optional<std::vector<std::pair<db::Id, std::string>>> tags_;  // without a cache
  // An earlier revision a reference named but the patch did not join.
  std::optional<Id> referenced_revision_;
  // Set while a patch's series is assigned before its insert (RunDeferred).
  bool deferring_ = false;
  std::vector<std::function<void()>> deferred_;
};

// One mail's write scope: a transaction, a savepoint inside the caller's,
// or (an archive batch on a backend that counts changed rows) nothing, as
// long as the mail need not be undone: see BatchReplayNeeded.
class Scope {
 public:
  Scope(db::Connection& c, const IngestOptions& o)
      : c_(c),
        kind_(o.own_transaction ? kTransaction
              : o.per_mail_savepoint ? kSavepoint
                                     : kUnguarded),
        cache_(o.cache) {
    switch (kind_) {
      case kTransaction: c_.Begin(); break;
      case kSavepoint: db::OpenSavepoint(c_); break;
      case kUnguarded:
        rows_at_start_ = db::RowsChanged(c_);
        if (!rows_at_start_) throw std::logic_error("no savepoint and no count of changed rows");
        if (cache_) events_at_start_ = cache_->events.size();
        break;
    }
  }
  ~Scope() {
    if (!done_) {
      try { Rollback(); } catch (...) {}
    }
  }
  // In an archive batch the caller bumps data_generation once per commit.
  // Done only once it succeeded: a release whose sync raises a write of
  // this mail still has its savepoint to roll back to (the destructor).
  void Commit() {
    switch (kind_) {
      case kTransaction: {
        db::BumpGeneration(c_);
        const int64_t began = trace::On() ? trace::WallNs() : 0;
        c_.Commit();
        done_ = true;
        NoteCommit(c_, began);
        // The write lock went with the transaction.
        if (cache_) {
          cache_->ForgetLockedLookups();
          cache_->tag_matches.clear();
        }
        break;
      }
      case kSavepoint: db::ReleaseSavepoint(c_); break;
      // Nothing to wait for: a write of this mail that fails later, in the
      // pipeline of a later read, fails the batch, which is then stored again
      // with savepoints (the caller syncs before its commit for that).
      case kUnguarded: break;
    }
    done_ = true;
  }
  // Unguarded, a mail that wrote nothing has nothing to undo.
  void Rollback() {
    done_ = true;
    // People this mail created or renamed are undone with it (unguarded, by
    // the batch's replay, whose caller clears the cache too; a mail that
    // wrote nothing, as most that stop do, created and renamed nobody, and
    // the batch's cache stays).
    // So are the replies it counted into IngestCache::tag_matches.
    if (cache_ && kind_ != kUnguarded) {
      cache_->people.clear();
      cache_->tag_matches.clear();
    }
    switch (kind_) {
      case kTransaction: c_.Rollback(); break;
      case kSavepoint: db::RollbackToSavepoint(c_); break;
      case kUnguarded:
        if (db::RowsChanged(c_) != rows_at_start_) throw BatchReplayNeeded{};
        if (cache_ && cache_->events.size() != events_at_start_) throw BatchReplayNeeded{};
        break;
    }
  }

 private:
  enum Kind { kTransaction, kSavepoint, kUnguarded };
  db::Connection& c_;
  Kind kind_;
  IngestCache* cache_;
  std::optional<int64_t> rows_at_start_;
  size_t events_at_start_ = 0;
  bool done_ = false;
};

// Stores, inside the caller's transaction, the held replies waiting for
// `msgid`, then those waiting for each of them; and moves stored replies
// that each of these mails gives a better home (service/comment_homes.h).
void AttachHeldReplies(db::Connection& c, const db::ProjectRow& project, const std::string& msgid,
                       IngestCache* cache) {
  std::vector<std::string> stored{msgid};
  while (!stored.empty()) {
    std::string parent = std::move(stored.back());
    stored.pop_back();
    // Usually nothing awaits a mail: one probe instead of the two lookups.
    if (cache && !cache->known.MaybeAwaited(parent)) continue;
    auto awaiting = db::WhatAwaits(c, project.id, parent);
    if (!awaiting.comment_msgids.empty()) {
      RehomeHooks hooks;
      if (cache) {
        // Re-homing updates events and writes some, when a comment moves.
        hooks.before_moving = [&] { FlushEvents(c, *cache); };
        // With the batch's other replies' patches, before its commit
        // (RecountDeferredTags), which reads the patterns from the cache.
        hooks.recount_tags = [&](db::Id patch_id) {
          if (project.use_tags) TagPatternsIn(c, cache->tags);
          cache->tag_recounts.emplace(patch_id, project.use_tags);
        };
      }
      auto changed = RehomeCommentsAwaiting(c, project.id, parent, std::move(awaiting.comment_msgids),
                                            cache ? &cache->known : nullptr, hooks);
      // A reply that moves changes the texts of the patches it leaves and joins.
      if (cache) {
        for (db::Id id : changed) cache->tag_matches.erase(id);
      }
    }
    if (!awaiting.held_mails) continue;
    for (auto& held : db::TakeHeldRepliesTo(c, project.id, parent)) {
      parser::ParseOptions options;
      options.universal_newlines = held.universal_newlines;
      auto parsed = parser::ParseMail(held.raw, options);
      if (!parsed.ok()) continue;  // it parsed when it was held
      ParsedMail& m = *parsed;
      DropNuls(m);
      parser::ApplyProjectSubject(m, project.linkname);
      try {
        Ingester(c, m, project, cache).Run();
        stored.push_back(m.msgid);
      } catch (const Stop&) {
        // A duplicate of a stored comment: nothing more to keep.
      }
    }
  }
}

// Runs in the transaction that found no parent: in a later one, the parent
// could be stored in between by another ingester, which would then not see
// this mail held, and it would wait for ever.
IngestResult Hold(db::Connection& c, Scope& scope, const ParsedMail& m, std::string_view raw,
                  const db::ProjectRow& project, const std::string& reason,
                  const IngestOptions& o) {
  static std::atomic<int> holds{0};
  db::HeldMail h;
  h.project_id = project.id;
  h.msgid = m.msgid;
  h.list_id = o.list_id;
  h.held = NowMicros();
  h.universal_newlines = o.universal_newlines;
  h.raw = std::string(raw);
  if (!db::HoldMail(c, h, m.refs)) {
    scope.Rollback();
    return {Outcome::kDuplicate, 0, m.msgid, "Duplicate held mail for message ID " + m.msgid, 0};
  }
  if (o.cache) {
    for (const auto& ref : m.refs) o.cache->known.NoteAwaited(ref);
  }
  if (++holds % kExpireEvery == 0) db::ExpireHeldMails(c, h.held - kHoldFor, kMaxHeld);
  scope.Commit();
  return {Outcome::kHeld, 0, m.msgid, reason, 0};
}

IngestResult Failed(db::Connection& c, std::string_view raw, const std::string& msgid,
                    const std::string& reason, const IngestOptions& o) {
  IngestResult r{Outcome::kFailed, 0, msgid, reason, 0};
  if (!o.keep_failed) return r;
  try {
    if (o.own_transaction) c.Begin();
    db::Id id = db::InsertFailedMail(c, raw, reason, msgid, o.list_id);
    if (o.own_transaction) c.Commit();
    // Only a committed row is kept: a full disk fails the COMMIT, after
    // the INSERT already handed out its id.
    r.failed_id = id;
  } catch (const std::exception& e) {
    if (o.own_transaction) {
      try { c.Rollback(); } catch (...) {}
    }
    // Unguarded, the error may be an earlier mail's pipelined write, and on
    // PostgreSQL the batch's transaction is unusable after any error.
    if (!o.own_transaction && !o.per_mail_savepoint) throw BatchReplayNeeded{};
    r.reason += std::string(" (and it could not be kept: ") + e.what() + ")";
  }
  return r;
}

}  // namespace

void NoteCommit(db::Connection& conn, int64_t began) {
  if (!trace::On()) return;
  int64_t at = trace::WallNs();
  trace::Note("commit " + std::to_string(at) + " " + std::to_string(db::read::MaxEventId(conn)) + " " +
              std::to_string(began));
}

void FlushEvents(db::Connection& conn, IngestCache& cache) { db::InsertEvents(conn, cache.events); }

void FlushWaitingWrites(db::Connection& conn, IngestCache& cache) {
  FlushEvents(conn, cache);
  db::CountPatchesInSeries(conn, cache.series_counts);
  cache.series_counts.clear();
}

namespace {
// Kept across commits only up to this many patches (about 1.5 MB), so the
// memory of an import does not grow with the archive; replies mostly come
// within days of their patch, a few thousand patches later at most.
constexpr size_t kMaxCountedPatches = 16384;
}  // namespace

void BatchCommitting(db::Connection& conn, IngestCache& cache) {
  cache.data_version.reset();
  if (conn.dialect() != db::Dialect::kSqlite || cache.tag_matches.size() > kMaxCountedPatches) {
    cache.tag_matches.clear();
  }
  if (conn.dialect() != db::Dialect::kSqlite) return;
  // Changes only when another connection commits (not for this one's own).
  if (!cache.tag_matches.empty() || cache.known.complete()) {
    cache.data_version = db::OtherWritersVersion(conn);
  }
}

void BatchBegun(db::Connection& conn, IngestCache& cache) {
  if (!cache.complete_asked) {
    cache.complete_asked = true;
    cache.data_version.reset();
    cache.known.StartComplete(conn);
    return;
  }
  if (!cache.tag_matches.empty() || cache.known.suspended()) {
    // A reply another process stored between the batches is in no count,
    // and its message id in no note.
    if (!cache.data_version || db::OtherWritersVersion(conn) != cache.data_version) {
      cache.tag_matches.clear();
      cache.known.clear();
    } else {
      cache.known.Resume();
    }
  }
  cache.data_version.reset();
}

void RecountDeferredTags(db::Connection& conn, IngestCache& cache) {
  // The tag patterns were read when a patch that uses tags was queued.
  RecountTags(conn, cache.tag_recounts, cache.tags ? *cache.tags : NoTags(), cache.tag_matches);
  cache.tag_recounts.clear();
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPatch: return "patch";
    case Outcome::kCover: return "cover";
    case Outcome::kPatchComment: return "patch-comment";
    case Outcome::kCoverComment: return "cover-comment";
    case Outcome::kDuplicate: return "duplicate";
    case Outcome::kDropped: return "dropped";
    case Outcome::kFailed: return "failed";
    case Outcome::kHeld: return "held";
  }
  return "?";
}

BatchLookups GatherBatchLookups(db::Connection& conn, const std::vector<const PreparedMail*>& mails,
                                const IngestOptions& options) {
  BatchLookups lookups;
  IngestCache* cache = options.cache;
  if (!cache || conn.dialect() != db::Dialect::kPostgres) return lookups;
  for (const PreparedMail* prepared : mails) {
    const ParsedMail* m = &prepared->mail;
    auto project = FindProjectForMail(conn, *m, options.list_id, cache);
    if (!project) continue;  // dropped: looks nothing up
    if (std::find(lookups.projects.begin(), lookups.projects.end(), project->id) == lookups.projects.end()) {
      lookups.projects.push_back(project->id);
    }
    lookups.msgids.push_back(m->msgid);
    lookups.msgids.insert(lookups.msgids.end(), m->refs.begin(), m->refs.end());
    // The address Author() will look up (a reply's too); any address would
    // do, the cache holds what the lookup finds for it. StoreParsed takes
    // the parse thread's author under the same condition.
    const bool as_hinted = prepared->author && options.project_hint &&
                           project->linkname == options.project_hint->linkname &&
                           project->listemail == options.project_hint->listemail;
    if (as_hinted) {
      if (prepared->author->ok()) lookups.emails.push_back((*prepared->author)->email);
    } else if (auto author = parser::ParseAuthor(*m, project->listemail); author.ok()) {
      lookups.emails.push_back(author->email);
    }
  }
  return lookups;
}

void PrefetchBatch(db::Connection& conn, const BatchLookups& lookups, const IngestOptions& options) {
  IngestCache* cache = options.cache;
  if (!cache || conn.dialect() != db::Dialect::kPostgres) return;
  cache->known.Load(conn, lookups.projects, lookups.msgids);
  db::PrefetchPeople(conn, lookups.emails, cache->people);
}

IngestResult IngestMail(db::Connection& conn, std::string_view raw, const IngestOptions& options) {
  return StoreParsed(conn, raw, ParseForIngest(raw, options), options);
}

Result<PreparedMail> ParseForIngest(std::string_view raw, const IngestOptions& options) {
  parser::ParseOptions parse_options;
  parse_options.universal_newlines = options.universal_newlines;
  if (options.project_hint) parse_options.project_linkname = options.project_hint->linkname;
  auto parsed = parser::ParseMail(raw, parse_options);
  if (!parsed.ok()) return parsed.status();
  PreparedMail prepared{std::move(*parsed), {}, std::nullopt};
  DropNuls(prepared.mail);
  if (prepared.mail.diff) prepared.diff_hash = parser::HashDiff(*prepared.mail.diff);
  if (options.project_hint) {
    // After DropNuls, as StoreParsed's own ParseAuthor would be.
    prepared.author.emplace(parser::ParseAuthor(prepared.mail, options.project_hint->listemail));
  }
  return prepared;
}

IngestResult StoreParsed(db::Connection& conn, std::string_view raw, Result<PreparedMail>&& parsed,
                         const IngestOptions& options) {
  if (!parsed.ok()) return Failed(conn, raw, "", parsed.status().message(), options);
  ParsedMail& m = parsed->mail;
  if (LowerAscii(m.hint) == "ignore") {
    return {Outcome::kDropped, 0, m.msgid, "X-Patchwork-Hint: ignore", 0};
  }
  std::string failure;
  try {
    Scope scope(conn, options);
    auto project = FindProjectForMail(conn, m, options.list_id, options.cache);
    if (!project) {
      std::string lists;
      for (const auto& l : m.list_ids) lists += (lists.empty() ? "" : ", ") + l;
      scope.Rollback();
      return {Outcome::kDropped, 0, m.msgid,
              "no project found for list id " +
                  (options.list_id.empty() ? (lists.empty() ? "(none)" : lists) : options.list_id),
              0};
    }
    // The parse thread did this for the hinted project (IngestOptions::project_hint).
    const bool as_hinted = parsed->author && options.project_hint &&
                           project->linkname == options.project_hint->linkname &&
                           project->listemail == options.project_hint->listemail;
    if (!as_hinted) parser::ApplyProjectSubject(m, project->linkname);
    if (!m.diff && !m.content) {
      scope.Rollback();
      return {Outcome::kDropped, 0, m.msgid, "no diff and no message text", 0};
    }
    try {
      IngestResult r = Ingester(conn, m, *project, options.cache, parsed->diff_hash,
                                as_hinted ? &*parsed->author : nullptr).Run();
      AttachHeldReplies(conn, *project, m.msgid, options.cache);
      scope.Commit();
      return r;
    } catch (const Stop& stop) {
      // Nothing was written before a reply finds no parent.
      if (stop.outcome == Outcome::kHeld) {
        return Hold(conn, scope, m, raw, *project, stop.reason, options);
      }
      scope.Rollback();
      return {stop.outcome, 0, m.msgid, stop.reason, 0};
    }
  } catch (const db::DbError& e) {
    // Whatever the mail wrote before the error is only undone by a replay.
    if (!options.own_transaction && !options.per_mail_savepoint) throw BatchReplayNeeded{};
    if (e.kind() == db::DbError::Kind::kUnavailable) {
      IngestResult r{Outcome::kFailed, 0, m.msgid, e.what(), 0};
      r.temporary = true;
      return r;
    }
    failure = e.what();
  } catch (const std::exception& e) {
    if (!options.own_transaction && !options.per_mail_savepoint) throw BatchReplayNeeded{};
    failure = e.what();
  }
  return Failed(conn, raw, m.msgid, failure, options);
}

}  // namespace pb::service
