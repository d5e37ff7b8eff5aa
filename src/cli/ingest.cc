// parsemail, parsearchive and failed: the command-line doors to service/ingest.
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/ingest_socket.h"
#include "cli/open_db.h"
#include "cli/parse_ahead.h"
#include "cli/printable.h"
#include "core/event_trace.h"
#include "db/bulk_load.h"
#include "db/failed_mails.h"
#include "db/mail_store.h"
#include "db/projects.h"
#include "service/ingest.h"

namespace pb::cli {
namespace {

using service::Outcome;

// Exit kExitTempFail (cli/open_db.h): an MTA keeps the mail queued and
// delivers it again later, which is what a full disk or an unreachable
// database needs.

// Archive imports commit every kBatch mails: one fsync per batch instead of
// one per mail. A mail that must be undone is undone alone: in a savepoint
// of its own, or, on SQLite, where mails run without one, by storing the
// batch again from its first mail with savepoints (service::BatchReplayNeeded).
constexpr int kBatch = 500;

// parsearchive's default `--nice` on SQLite: how much it lowers its own
// priority (on PostgreSQL the default is 0, see ParseArchive).
// A bulk import is a background job. When a live `serve` shares the machine,
// its threads (API requests, and the event hub, whose every round makes all
// stream clients wait for it: docs/performance.md §10f) should get a CPU
// first; an import at full speed otherwise keeps both cores busy and leaves
// the hub half of one. Priority only matters while CPUs are contended: on an
// otherwise idle machine the import runs exactly as fast.
constexpr int kArchiveNice = 10;

// Adds `increment` to the niceness of every thread of this process (on
// Linux a thread's own: setpriority(PRIO_PROCESS, tid) sets one thread, and
// threads started later inherit it). Raising one's niceness needs no
// privilege; failing to is harmless, so errors are ignored.
void LowerOwnPriority(int increment) {
  if (increment <= 0) return;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) {
    errno = 0;
    int now = getpriority(PRIO_PROCESS, 0);
    if (errno == 0) setpriority(PRIO_PROCESS, 0, std::min(now + increment, 19));
    return;
  }
  while (dirent* e = readdir(dir)) {
    id_t tid = static_cast<id_t>(std::strtoul(e->d_name, nullptr, 10));
    if (tid == 0) continue;
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(now + increment, 19));
  }
  closedir(dir);
}


// The line parsemail, parsearchive and the ingest socket print for a mail
// that was not simply stored ("" for one that was).
std::string ReportText(const service::IngestResult& r) {
  switch (r.outcome) {
    case Outcome::kDuplicate:
      return Printable(r.reason) + "\n";
    case Outcome::kDropped:
      return "Nothing added to database: " + Printable(r.reason) + (r.msgid.empty() ? "" : " — ") +
             Printable(r.msgid) + "\n";
    case Outcome::kHeld:
      return "Held until its parent arrives: " + Printable(r.reason) + " — " + Printable(r.msgid) + "\n";
    case Outcome::kFailed: {
      std::string kept = r.failed_id ? " (kept as failed mail " + std::to_string(r.failed_id) + ")" : "";
      return "Failed to store mail " + (r.msgid.empty() ? std::string("(no Message-ID)") : Printable(r.msgid)) +
             ": " + Printable(r.reason) + kept + "\n";
    }
    default:
      return "";
  }
}

void Report(const service::IngestResult& r) { std::fputs(ReportText(r).c_str(), stderr); }

// When a batch's stages began, for bench/pg_ingest_stages.sh (through
// PATCHBAY_EVENT_TRACE, core/event_trace.h): the time two ingesters wait
// for the write lock, hold it, and spend between batches. All 0 when off.
struct BatchStages {
  int64_t read_ns = 0;       // the batch read, about to gather its look-ups
  int64_t locking_ns = 0;    // asking for the write lock (Begin)
  int64_t locked_ns = 0;     // holding it
  int64_t committed_ns = 0;  // committed
};

// "batch <pid> <mails> <stages...> <done>", and the
// stages are reset for the next batch.
void NoteBatch(BatchStages& s, int mails) {
  if (!s.read_ns) return;
  trace::Note("batch " + std::to_string(getpid()) + " " + std::to_string(mails) + " " + std::to_string(s.read_ns) +
              " " + std::to_string(s.locking_ns) + " " + std::to_string(s.locked_ns) + " " +
              std::to_string(s.committed_ns) + " " + std::to_string(trace::WallNs()));
  s = {};
}

// Built when needed, not by a constructor that every process would run.
std::string NotKept() {
  return "patchbay: the mail was not stored or kept; exit " + std::to_string(kExitTempFail) +
         " so it is delivered again\n";
}

}  // namespace

MailAnswer StoreOneMail(const std::string& url, std::unique_ptr<db::Connection>& conn,
                        std::string_view raw, const std::string& list_id) {
  MailAnswer answer;
  service::IngestOptions options;
  options.list_id = list_id;
  options.universal_newlines = true;
  try {
    if (!conn) {
      bool unavailable = false;  // either way: not kept, the MTA delivers again
      conn = OpenMigrated(url, &unavailable, &answer.err);
      if (!conn) {
        answer.exit_code = kExitTempFail;
        answer.err += NotKept();
        return answer;
      }
      try {
        // The MTA may discard the mail once we exit 0: commit to disk first.
        conn->SetDurable(true);
      } catch (const db::DbError& e) {  // the database went away just now
        conn.reset();
        answer.exit_code = kExitTempFail;
        answer.err = "patchbay: " + std::string(e.what()) + "\n";
        return answer;
      }
    }
    auto r = service::IngestMail(*conn, raw, options);
    answer.err = ReportText(r);
    if (r.outcome != Outcome::kFailed) return answer;
    if (r.failed_id) {
      answer.exit_code = 1;  // kept in failed_mails: retried from there, not by the MTA
      return answer;
    }
    // Not stored, not kept: the connection may be the reason; the next
    // mail (the MTA's retry, in a server) opens a new one.
    conn.reset();
    answer.exit_code = kExitTempFail;
    answer.err += NotKept();
  } catch (const std::exception& e) {
    // What main() prints for parsemail, as a value, so the server answers
    // it too (and reconnects for the next mail).
    conn.reset();
    answer.err += UncaughtLine("parsemail", e, &answer.exit_code);
  }
  return answer;
}

int ParseMail(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  const std::string list_id = TakeOption(args, "--list-id");
  const std::string socket = IngestSocketOrEnv(TakeOption(args, "--ingest-socket"));
  const int timeout = IngestTimeoutSeconds(TakeOption(args, "--ingest-timeout"), ingest::kDefaultTimeoutSeconds);
  std::string raw;
  // stdin is read with fread, not through std::cin: istreambuf_iterator over
  // the synced stdio buffer costs a getc/ungetc pair per byte (1.6M of the
  // 14M instructions of a whole 8 KB parsemail run).
  FILE* f = stdin;
  if (!args.empty() && args[0] != "-") {
    f = std::fopen(args[0].c_str(), "rb");
    if (!f) {
      std::fprintf(stderr, "patchbay: cannot read %s\n", args[0].c_str());
      return 1;
    }
  }
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) raw.append(buf, n);
  if (f != stdin) std::fclose(f);
  if (!socket.empty()) {
    // A running server stores it: no database, GMime or heap set-up here
    // (main.cc skips the huge page for this case too).
    std::string why;
    if (auto answer = ingest::HandOff(socket, raw, list_id, url, timeout, &why)) {
      std::fwrite(answer->out.data(), 1, answer->out.size(), stdout);
      std::fwrite(answer->err.data(), 1, answer->err.size(), stderr);
      return answer->exit_code;
    }
    // Nothing is lost: stored here as without a server. Had the server
    // stored it before failing to answer, this finds it a duplicate.
    std::fprintf(stderr, "patchbay: ingest socket %s: %s; storing the mail directly\n",
                 Printable(socket).c_str(), why.c_str());
  }
  std::unique_ptr<db::Connection> conn;
  MailAnswer answer = StoreOneMail(url, conn, raw, list_id);
  std::fwrite(answer.out.data(), 1, answer.out.size(), stdout);
  std::fwrite(answer.err.data(), 1, answer.err.size(), stderr);
  return answer.exit_code;
}

int ParseArchive(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  service::IngestOptions options;
  options.list_id = TakeOption(args, "--list-id");
  options.own_transaction = false;
  service::IngestCache cache;
  options.cache = &cache;
  bool quiet = TakeFlag(args, "-q") || TakeOption(args, "-v") == "0";
  const std::string nice_text = TakeOption(args, "--nice");
  int nice = kArchiveNice;
  if (!nice_text.empty()) {
    char* end = nullptr;
    long n = std::strtol(nice_text.c_str(), &end, 10);
    nice = *end == '\0' && n >= 0 && n <= 19 ? static_cast<int>(n) : -1;
  }
  if (args.empty() || nice < 0) {
    std::fprintf(stderr,
                 "usage: patchbay parsearchive [--database URL] [--list-id ID] [--nice 0-19] PATH\n");
    return 2;
  }
  const std::string path = args[0];
  if (path != "-" && access(path.c_str(), R_OK) != 0) {
    std::fprintf(stderr, "patchbay: no such mbox file or Maildir: %s\n", path.c_str());
    return 1;
  }
  // An unreachable database is temporary, as for parsemail: a cron job or
  // script retries on 75 (EX_TEMPFAIL); anything else needs a person.
  // Before the first connection: SQLite's cursors and scratch values from
  // free lists rather than malloc, its page cache on huge pages for a large
  // mbox (db::PrepareProcessForBulkLoad). A Maildir's or stdin's size is not
  // known up front.
  std::optional<int64_t> input_bytes;
  if (struct stat st{}; path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    input_bytes = st.st_size;
  }
  db::PrepareProcessForBulkLoad(input_bytes);
  bool unavailable = false;
  auto conn = OpenMigrated(url, &unavailable);
  if (!conn) return unavailable ? kExitTempFail : 1;
  // On PostgreSQL most of an import's work is its backend's, which a client
  // cannot lower: a niced client would only slow its own pipeline (two
  // importers at load 2.9 went from 1,078-1,132 to 696-895 mails/s, §10f),
  // so there the default keeps the caller's priority.
  if (nice_text.empty() && conn->dialect() == db::Dialect::kPostgres) nice = 0;
  // Before the parse-ahead thread starts, so it inherits the priority too.
  LowerOwnPriority(nice);

  // Without per-mail savepoints the open batch's mails are kept, to be
  // stored again should one of them need undoing.
  options.per_mail_savepoint = !db::RowsChanged(*conn);
  // A batch's events together where its mails need no savepoint
  // (IngestCache::buffer_events): one statement on PostgreSQL, a few on SQLite.
  // With --list-id most mails go to that list's project: the parse thread
  // prepares them for it (IngestOptions::project_hint; StoreParsed checks
  // the project it finds against the hint).
  if (!options.list_id.empty()) {
    auto projects = db::FindProjectsByListId(*conn, options.list_id);
    if (!projects.empty()) options.project_hint = service::ProjectHint{projects[0].linkname, projects[0].listemail};
  }
  const bool buffer_events = !options.per_mail_savepoint;
  cache.buffer_events = buffer_events;
  service::IngestOptions guarded = options;
  guarded.per_mail_savepoint = true;
  std::vector<std::string> batch;
  std::vector<char> failure_reported;  // per mail of the batch

  int counts[8] = {}, counts_at_batch_start[8] = {};
  int total = 0, total_at_batch_start = 0, in_batch = 0;
  const bool progress = isatty(STDERR_FILENO) && !quiet;
  auto tally = [&](const service::IngestResult& r) {
    ++counts[static_cast<int>(r.outcome)];
    ++total;
  };
  // Mail `i` of the batch; its failure is reported once, whichever pass
  // of the batch meets it first.
  auto store = [&](size_t i, Result<service::PreparedMail>&& parsed, const service::IngestOptions& o) {
    auto r = service::StoreParsed(*conn, batch[i], std::move(parsed), o);
    tally(r);
    if (r.outcome == Outcome::kFailed && !failure_reported[i]) {
      Report(r);
      failure_reported[i] = 1;
    }
  };
  auto commit = [&] {
    service::FlushWaitingWrites(*conn, cache);  // sync_batch did, unless replayed
    service::RecountDeferredTags(*conn, cache);
    db::BumpGeneration(*conn);
    service::BatchCommitting(*conn, cache);
    const int64_t began = trace::On() ? trace::WallNs() : 0;
    conn->Commit();
    service::NoteCommit(*conn, began);
    // Others may write between batches.
    cache.ForgetLockedLookupsAtCommit();
  };
  auto begin = [&] {
    conn->Begin();
    service::BatchBegun(*conn, cache);
  };
  // Stores the open batch again from its first mail, each mail in its own
  // savepoint.
  auto replay = [&] {
    conn->Rollback();
    conn->Begin();
    cache.tag_recounts.clear();
    cache.tag_matches.clear();
    // The lock was let go in between: its mails look everything up.
    cache.ForgetLockedLookups();
    // Mails in savepoints write their events and counts at once; the
    // rolled-back batch's waiting ones are gone with it.
    cache.events.clear();
    cache.series_counts.clear();
    cache.buffer_events = false;
    std::copy(std::begin(counts_at_batch_start), std::end(counts_at_batch_start), counts);
    total = total_at_batch_start;
    for (size_t i = 0; i < batch.size(); ++i) {
      store(i, service::ParseForIngest(batch[i], guarded), guarded);
    }
    cache.buffer_events = buffer_events;
  };
  // Unguarded, a pipelined write may fail after its mail was counted: its
  // answer is read before the batch's last statements, and the batch stored
  // again if it failed.
  auto sync_batch = [&] {
    if (options.per_mail_savepoint) return;
    try {
      service::FlushWaitingWrites(*conn, cache);
      conn->Sync();
    } catch (const db::DbError&) {
      replay();
    }
  };
  // On PostgreSQL a batch is read (and parsed, on the parse-ahead thread)
  // before its transaction opens, so the write lock is not held while mails
  // are read, and the batch's message ids and references are known up
  // front: gathered before the lock is taken and looked up once it is held
  // (service::GatherBatchLookups, service::PrefetchBatch). SQLite
  // prefetches nothing and stores each mail as it comes (`stream` below).
  std::vector<ParsedArchiveMail> pending;
  BatchStages stage;
  // The parse thread frees what the store is done with (ParsedMailsDone).
  ParsedMailsDone done;
  // Before the batch takes the lock: what the prefetch asks for.
  auto gather = [&] {
    if (conn->dialect() != db::Dialect::kPostgres) return service::BatchLookups{};
    std::vector<const service::PreparedMail*> mails;
    for (const auto& m : pending) {
      if (m.parsed.ok()) mails.push_back(&*m.parsed);
    }
    try {
      return service::GatherBatchLookups(*conn, mails, options);
    } catch (const db::DbError&) {
      // Only an optimisation: nothing looked up in advance, every mail
      // asks for itself (and finds its project then, or fails as before).
      return service::BatchLookups{};
    }
  };
  auto prefetch = [&](const service::BatchLookups& lookups) {
    if (conn->dialect() != db::Dialect::kPostgres) return;
    try {
      service::PrefetchBatch(*conn, lookups, options);
    } catch (const db::DbError&) {
      // Only an optimisation; the failed statement ended the transaction.
      cache.ForgetLockedLookups();
      cache.tag_matches.clear();
      conn->Rollback();
      conn->Begin();
    }
  };
  // Stores one mail in the open batch.
  auto store_one = [&](ParsedArchiveMail& m) {
    if (options.per_mail_savepoint) {
      auto r = service::StoreParsed(*conn, m.raw, std::move(m.parsed), options);
      tally(r);
      if (r.outcome == Outcome::kFailed) Report(r);
    } else {
      batch.push_back(std::move(m.raw));
      failure_reported.push_back(0);
      try {
        store(batch.size() - 1, std::move(m.parsed), options);
      } catch (const service::BatchReplayNeeded&) {
        replay();
      }
    }
    if (progress && total % 10 == 0) std::fprintf(stderr, "%06d\r", total);
  };
  // Opens the batch's transaction and stores the pending mails in it.
  auto store_pending = [&] {
    stage.read_ns = trace::On() ? trace::WallNs() : 0;
    const service::BatchLookups lookups = gather();
    if (stage.read_ns) stage.locking_ns = trace::WallNs();
    begin();
    if (stage.read_ns) stage.locked_ns = trace::WallNs();
    prefetch(lookups);
    for (auto& m : pending) store_one(m);
    for (auto& m : pending) done.mails.push_back(std::move(m));
    pending.clear();
  };
  // Where nothing is prefetched (SQLite) a batch's mails are stored as they
  // come, in a transaction opened at its first: the parse thread parses the
  // next ones meanwhile. With the batch read first, the parser stopped once
  // its queue was full, 64 mails into each batch's storing, and the store
  // thread then waited for it through the whole of the next batch's reading:
  // the two threads took turns, and the wall time was their sum. The write
  // lock is held a batch long either way; now also while the store thread
  // waits for a mail, which it seldom does (the parser is the faster).
  const bool stream = conn->dialect() != db::Dialect::kPostgres;
  Status st;
  try {
    db::SetBulkLoad(*conn, true);
    st = ForEachParsedMail(path, options, [&](ParsedArchiveMail& m) {
      if (stream) {
        if (in_batch == 0) begin();
        store_one(m);
        done.mails.push_back(std::move(m));
      } else {
        pending.push_back(std::move(m));
      }
      if (++in_batch == kBatch) {
        if (!stream) store_pending();
        sync_batch();
        commit();
        if (stage.read_ns) stage.committed_ns = trace::WallNs();
        NoteBatch(stage, in_batch);
        in_batch = 0;
        for (auto& raw : batch) done.raws.push_back(std::move(raw));
        batch.clear();
        failure_reported.clear();
        std::copy(std::begin(counts), std::end(counts), counts_at_batch_start);
        total_at_batch_start = total;
      }
      return true;
    }, &done);
    // The last batch, possibly empty (opened and committed all the same, as
    // it always was: each commit bumps the data generation).
    if (!stream || in_batch == 0) store_pending();
    sync_batch();
    commit();
    if (stage.read_ns) stage.committed_ns = trace::WallNs();
    NoteBatch(stage, in_batch);
    db::SetBulkLoad(*conn, false);
  } catch (const std::exception& e) {
    // Typically a full disk at a batch COMMIT: the open batch is gone. The
    // database goes back to WAL mode if it can (db::SetBulkLoad); if not, the
    // next connection to open it asks for WAL.
    try {
      conn->Rollback();
    } catch (const std::exception&) {
    }
    try {
      db::SetBulkLoad(*conn, false);
    } catch (const std::exception&) {
    }
    std::fprintf(stderr,
                 "patchbay: %s\npatchbay: the %d mails read since the last commit were not stored; "
                 "run parsearchive again once fixed (stored mails are skipped as duplicates)\n",
                 e.what(), in_batch);
    return kExitTempFail;
  }
  if (!st.ok()) {
    std::fprintf(stderr, "patchbay: %s\n", st.message().c_str());
    return 1;
  }
  auto c = [&](Outcome o) { return counts[static_cast<int>(o)]; };
  if (!quiet) {
    int comments = c(Outcome::kPatchComment) + c(Outcome::kCoverComment);
    std::printf(
        "Processed %d messages -->\n"
        "  %4d cover letters\n"
        "  %4d patches\n"
        "  %4d comments\n"
        "  %4d duplicates\n"
        "  %4d dropped\n",
        total, c(Outcome::kCover), c(Outcome::kPatch), comments, c(Outcome::kDuplicate),
        c(Outcome::kDropped));
    // Not in upstream's summary: upstream drops these.
    if (c(Outcome::kHeld)) {
      std::printf("  %4d held until the mail they answer arrives\n", c(Outcome::kHeld));
    }
    std::printf("  %4d errors\nTotal: %d new entries\n", c(Outcome::kFailed),
                total - c(Outcome::kDuplicate) - c(Outcome::kDropped) - c(Outcome::kHeld) -
                    c(Outcome::kFailed));
  }
  return 0;
}

int Failed(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  std::string verb = args.empty() ? "list" : args[0];
  if (verb == "list") {
    auto mails = db::ListUnresolvedFailedMails(*conn);
    for (const auto& m : mails) {
      std::printf("%lld  %s  %s  %s\n", static_cast<long long>(m.id), FormatIsoDate(m.received).c_str(),
                  Printable(m.msgid).c_str(), Printable(m.reason).c_str());
    }
    if (mails.empty()) std::printf("no failed mails\n");
    return 0;
  }
  if (verb == "show" && args.size() == 2) {
    auto raw = db::FailedMailRaw(*conn, std::stoll(args[1]));
    if (!raw) {
      std::fprintf(stderr, "patchbay: no failed mail %s\n", args[1].c_str());
      return 1;
    }
    std::fwrite(raw->data(), 1, raw->size(), stdout);
    return 0;
  }
  if (verb == "retry") {
    bool all = args.size() == 1 || (args.size() == 2 && args[1] == "--all");
    std::optional<db::Id> only;
    if (!all) only = std::stoll(args[1]);
    auto mails = db::UnresolvedFailedMails(*conn, only);
    int fixed = 0;
    for (auto& mail : mails) {
      db::Id id = mail.id;
      service::IngestOptions o;
      o.list_id = mail.list_id;
      o.keep_failed = false;
      o.universal_newlines = true;  // most kept mails came through parsemail
      auto r = service::IngestMail(*conn, mail.raw, o);
      std::printf("failed mail %lld: %s%s%s\n", static_cast<long long>(id),
                  service::OutcomeName(r.outcome), r.reason.empty() ? "" : ": ",
                  Printable(r.reason).c_str());
      if (r.outcome != Outcome::kFailed) {
        db::MarkFailedMailResolved(*conn, id);
        ++fixed;
      }
    }
    std::printf("%d of %zu retried mails stored or settled\n", fixed, mails.size());
    return fixed == static_cast<int>(mails.size()) ? 0 : 1;
  }
  std::fprintf(stderr, "usage: patchbay failed list | show ID | retry [ID|--all]\n");
  return 2;
}

}  // namespace pb::cli
