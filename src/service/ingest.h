// Mail ingestion: one raw mail in, rows out (spec §2.4-2.19). This is the
// only writer of patches, covers, comments and series from mail.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/mail_store.h"
#include "db/projects.h"
#include "db/records.h"
#include "parser/parsed_mail.h"

namespace pb::service {

// kHeld: a reply whose parent is not stored yet, kept in held_mails until it
// is (then it becomes a comment in the parent's transaction).
enum class Outcome { kPatch, kCover, kPatchComment, kCoverComment, kDuplicate, kDropped, kFailed, kHeld };

const char* OutcomeName(Outcome o);

struct IngestResult {
  Outcome outcome = Outcome::kFailed;
  db::Id id = 0;          // the stored row, when one was stored
  std::string msgid;      // when known
  std::string reason;     // why dropped / duplicate / failed
  db::Id failed_id = 0;   // row in failed_mails for kFailed, when it could be kept
  // kFailed because the database could not be reached: nothing was stored,
  // not even in failed_mails; delivering the mail again later will work.
  bool temporary = false;
};

// Lookups that do not change during an archive import (projects by list id,
// the default state, the tag patterns, the delegation rules). Only for a
// caller that owns the database for the duration, like parsearchive; single
// mails pass none.
struct IngestCache {
  std::unordered_map<std::string, std::vector<db::ProjectRow>> projects_by_listid;
  std::optional<db::Id> default_state;
  std::optional<std::vector<std::pair<db::Id, std::string>>> tags;
  std::unordered_map<db::Id, std::vector<db::DelegationRule>> delegation_rules;  // by project
  // Patches that got replies in the open batch, with their project's
  // use_tags: their tag counts are recounted once, by RecountDeferredTags
  // before the batch commits, instead of once per reply (each recount reads
  // every text of the patch). Nothing in an ingest reads the counts, so the
  // rows committed are those of a recount after every reply.
  std::map<db::Id, bool> tag_recounts;
  // The tag matches (one count per tag of `tags`) of every text of the
  // patches this import created in projects that use tags: the patch's own
  // and each reply's since, counted as they are stored. RecountDeferredTags
  // takes them instead of reading those texts back. Valid only while no
  // other writer can add a reply: dropped when a mail is rolled back, when
  // stored replies move to another patch, and at a commit, unless the
  // backend can tell that nobody else wrote before the next batch
  // (BatchCommitting, BatchBegun).
  std::unordered_map<db::Id, std::vector<int>> tag_matches;
  // SQLite's PRAGMA data_version just before the last batch's commit.
  std::optional<int64_t> data_version;
  // People seen in the open batch transaction, so a submitter seen before
  // costs no lookup. Valid only while the batch holds the write lock: the
  // caller clears it at each commit, StoreParsed when it rolls a mail back.
  db::PersonCache people;
  // The open batch's message ids and references, looked up when it took the
  // write lock (db::KnownMsgids): a mail's duplicate checks, its series and
  // parent lookups and the "does anything await it" probe are skipped for
  // ids known to be none of these. Cleared with `people`
  // (ForgetLockedLookups).
  db::KnownMsgids known;
  // On (the caller's choice: PostgreSQL, mails without savepoints), the
  // events of the open batch wait here and go in one statement
  // (db::InsertEvents) when FlushEvents is called: before the batch's last
  // sync and commit, and by the ingest itself before anything that reads or
  // changes events or writes events of its own (comment re-homing,
  // superseding), so ids and rows are those of inserting each at once. A
  // mail that must be undone is undone by a replay of the batch, which
  // drops them (with savepoints, events are written at once).
  bool buffer_events = false;
  std::vector<db::PendingEvent> events;
  // With buffer_events, a batch's patches are counted into their series
  // (received_total) here and written together by FlushWaitingWrites before
  // its last sync: one statement instead of an UPDATE per patch. The only
  // reader of received_total in an ingest, the series-completed test, adds
  // these. Dropped by a replay with the batch.
  std::map<db::Id, int> series_counts;

  // Whether the import's first batch asked if `known` can start complete
  // (db::KnownMsgids::StartComplete, by BatchBegun).
  bool complete_asked = false;

  // Drops what is valid only while the batch holds the write lock (`people`,
  // `known`): whenever the lock may have gone.
  void ForgetLockedLookups() {
    people.clear();
    known.clear();
  }
  // The same at an archive batch's commit, except that a complete `known`
  // waits for BatchBegun to tell whether it still is.
  void ForgetLockedLookupsAtCommit() {
    people.clear();
    known.Suspend();
  }
};

// Writes what the open batch keeps waiting in `cache` (its events, then its
// series counts): before its last sync and before its commit.
void FlushWaitingWrites(db::Connection& conn, IngestCache& cache);

// Writes the events waiting in `cache` (IngestCache::buffer_events).
void FlushEvents(db::Connection& conn, IngestCache& cache);

// Just before a batch's commit, while it holds the write lock: on SQLite
// the tag matches counted so far and a complete `known` are kept for the
// next batch, which checks with BatchBegun that no other connection
// committed in between (read here, under the lock, so that a commit
// slipping in right after this one is seen); elsewhere they are dropped.
// The caller then commits and calls cache.ForgetLockedLookupsAtCommit().
void BatchCommitting(db::Connection& conn, IngestCache& cache);
// Once the next batch holds the write lock; at the import's first, `known`
// starts complete if the database holds no mail yet.
void BatchBegun(db::Connection& conn, IngestCache& cache);

// Recounts the tags of the patches in cache.tag_recounts and empties it.
// The caller runs it inside the batch's transaction, before COMMIT.
void RecountDeferredTags(db::Connection& conn, IngestCache& cache);

// Thrown by StoreParsed when it runs without a per-mail savepoint
// (IngestOptions::per_mail_savepoint false) and the mail has to be undone
// after it wrote rows: the caller rolls its transaction back and stores
// the batch again with savepoints. Not a std::exception on purpose: no
// handler for errors may take it for one.
struct BatchReplayNeeded {};

// The project an archive's mails are expected to go to (parsearchive
// --list-id), known before they are stored: see IngestOptions::project_hint.
struct ProjectHint {
  std::string linkname;
  std::string listemail;
};

struct IngestOptions {
  std::string list_id;          // --list-id: overrides the mail's list headers
  bool own_transaction = true;  // false: caller holds a transaction (archive batches)
  // With own_transaction false: each mail in its own savepoint, so a failed
  // or duplicate mail is undone without losing the batch. Without one (only
  // where db::RowsChanged is known) a mail that must be undone
  // after writing throws BatchReplayNeeded instead. A savepoint copies
  // every page a mail touches first: a fifth of the store's work.
  bool per_mail_savepoint = true;
  bool keep_failed = true;      // store failures in failed_mails
  // parsemail reads one mail in text mode, as upstream does: CRLF and lone
  // CR become LF. Archives keep line endings as they are.
  bool universal_newlines = false;
  IngestCache* cache = nullptr;
  // With a hint, ParseForIngest (the parse thread, in parsearchive) does
  // what StoreParsed would otherwise do for a mail of that project: the
  // subject's fields computed without its linkname prefix
  // (parser::ApplyProjectSubject) and the author (parser::ParseAuthor with
  // its list address). StoreParsed uses them only when the project it finds
  // for the mail has that linkname and list address, and computes them
  // itself otherwise: the rows are those of an ingest without a hint.
  std::optional<ProjectHint> project_hint;
};

// Parses and stores one mail. All rows of one mail are written in one
// transaction (or savepoint), so a failure leaves nothing half-stored; a failed
// mail is then kept verbatim in failed_mails with its reason.
IngestResult IngestMail(db::Connection& conn, std::string_view raw, const IngestOptions& options);

// A mail made ready for storing without a database: the parser's fields
// with NUL bytes dropped (they cannot be stored, see ingest.cc) and the
// hash of its diff. Both were a fifth of the store thread's work in
// `parsearchive`; done here they run on the parse thread.
struct PreparedMail {
  parser::ParsedMail mail;
  std::string diff_hash;  // parser::HashDiff(*mail.diff); "" without a diff
  // Set when parsed with IngestOptions::project_hint: the mail's author
  // for that project; `mail`'s subject fields are then that project's too.
  std::optional<Result<parser::Author>> author;
};

// IngestMail's two halves, for `patchbay parsearchive`, which parses the
// next mails on a second thread while it stores this one. ParseForIngest
// touches no database; StoreParsed(raw, ParseForIngest(raw)) is exactly
// IngestMail(raw), so mails stored in archive order give the same rows.
// `parsed` is taken by reference, not by value: what it holds is freed by
// whoever owns it (parsearchive hands it back to the parse thread, whose
// heap it came from).
Result<PreparedMail> ParseForIngest(std::string_view raw, const IngestOptions& options);
IngestResult StoreParsed(db::Connection& conn, std::string_view raw, Result<PreparedMail>&& parsed,
                         const IngestOptions& options);

// What an archive batch looks up at once when it holds the write lock:
// the projects its mails go to, their message ids and references, and
// their authors' addresses. Gathered before the batch takes the lock
// (GatherBatchLookups), so that the lock is held only for the look-ups'
// statements: the client's share of the prefetch was a seventh of the
// store thread's instructions, all under the lock, a third of it parsing
// every author again (docs/performance.md §9q).
struct BatchLookups {
  std::vector<db::Id> projects;
  std::vector<std::string> msgids;
  std::vector<std::string> emails;
};

// Touches the database only for projects not yet in options.cache (read
// once per import, as StoreParsed would). Empty without a cache or on
// SQLite. A mail prepared for the project it goes to
// (IngestOptions::project_hint) gives the author the parse thread found.
BatchLookups GatherBatchLookups(db::Connection& conn, const std::vector<const PreparedMail*>& mails,
                                const IngestOptions& options);

// For an archive batch that holds the write lock, before its mails are
// stored with `options`: fills options.cache->known with the gathered
// message ids and references (in the projects they go to) and
// options.cache->people with the submitters, in two statements. Only
// answers the per-mail lookups would give, whatever mails were gathered.
// Nothing without a cache or on SQLite.
void PrefetchBatch(db::Connection& conn, const BatchLookups& lookups, const IngestOptions& options);

// After a commit that may have made events: notes its time and the newest
// event id for bench/sse_bench.py's stage breakdown (core/event_trace.h).
// Nothing unless PATCHBAY_EVENT_TRACE is set. `began` (trace::WallNs()
// before the Commit call, or 0) is noted too: on SQLite, Commit returns
// only after the autocheckpoint it may run, 20-90 ms after the commit is
// visible to readers, so "after" alone is a late anchor for that round.
void NoteCommit(db::Connection& conn, int64_t began = 0);

// Recounts Acked-by/Reviewed-by/Tested-by for one patch (spec §2.19).
void RecountTags(db::Connection& conn, db::Id patch_id);
// The same, for a caller that knows the patch's project's use_tags and the
// tag patterns (the ingest, which has them cached): one read, not five.
void RecountTags(db::Connection& conn, db::Id patch_id, bool use_tags,
                 const std::vector<std::pair<db::Id, std::string>>& tags);

// The same for several patches, by their project's use_tags, with one read
// of their texts; a patch in `counted` (IngestCache::tag_matches) takes
// those matches instead of reading its texts.
void RecountTags(db::Connection& conn, const std::map<db::Id, bool>& patches,
                 const std::vector<std::pair<db::Id, std::string>>& tags,
                 const std::unordered_map<db::Id, std::vector<int>>& counted = {});

// Adds each tag's matches in `text` to `counts` (one per tag, in order): a
// patch's counts are these summed over its texts.
void AddTagMatches(const std::vector<std::pair<db::Id, std::string>>& tags, std::string_view text,
                   std::vector<int>& counts);

// Number of non-overlapping matches of a tag pattern (Python re, M|I).
int CountTagMatches(std::string_view pattern, std::string_view text);

}  // namespace pb::service
