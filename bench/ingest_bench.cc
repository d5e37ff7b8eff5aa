// Ingest throughput: mails/s and MB/s for
//   BM_SplitMbox   splitting the mbox into messages (mail::SplitMbox)
//   BM_ParseOnly   parser::ParseMail over every message (CPU time: per core)
//   BM_ParseStore  service::IngestMail into a fresh SQLite database, batches of
//                  500 mails per transaction as `patchbay parsearchive` does
//                  (wall time: includes SQLite I/O and the final checkpoint).
//                  /wal_ckpt_pages:0 is what parsearchive does; /wal_ckpt_pages:16384
//                  is an experiment with a 64 MB WAL auto-checkpoint threshold.
//
// Input, chosen with --corpus=... (or $PB_BENCH_CORPUS):
//   real       ../shared/corpus/real-lists/linuxppc-dev-first5k.mbox.zst (default when present)
//   generated  bench/gen_mbox.py -n $PB_BENCH_GEN_MAILS (default 5000) (default otherwise)
//   PATH       any mbox file (".zst" is decompressed with zstd -dc)
// Google Benchmark flags work as usual, e.g.
//   ./build/ingest_bench --corpus=generated --benchmark_filter=ParseOnly
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/migrations.h"
#include "db/projects.h"
#include "mail/mailbox.h"
#include "parser/parsed_mail.h"
#include "service/ingest.h"

namespace {

struct Corpus {
  std::string name;     // what was loaded, for the report
  std::string list_id;  // the list id its mails carry
  std::string mbox;     // the whole mbox
  std::vector<std::string_view> mails;  // views into `owned`
  std::vector<std::string> owned;
  size_t bytes = 0;     // sum of message sizes
};

std::string g_corpus_choice;  // "", "real", "generated" or a path

std::string SourceDir() {
  // PATCHBAY_SHARED_DIR is "<source dir>/../shared".
  std::string s = PATCHBAY_SHARED_DIR;
  const std::string tail = "/../shared";
  if (s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0) {
    return s.substr(0, s.size() - tail.size());
  }
  return ".";
}

std::string RealArchive() {
  return std::string(PATCHBAY_SHARED_DIR) + "/corpus/real-lists/linuxppc-dev-first5k.mbox.zst";
}

std::string ReadCommand(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run: " + cmd);
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd);
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''"; else q += c;
  }
  return q + "'";
}

std::string ReadMboxFile(const std::string& path) {
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0) {
    return ReadCommand("zstd -dc " + ShellQuote(path));
  }
  return ReadCommand("cat " + ShellQuote(path));
}

const Corpus& GetCorpus() {
  static Corpus* corpus = [] {
    auto* c = new Corpus;
    std::string choice = g_corpus_choice;
    if (choice.empty()) {
      if (const char* e = std::getenv("PB_BENCH_CORPUS")) choice = e;
    }
    if (choice.empty()) choice = access(RealArchive().c_str(), R_OK) == 0 ? "real" : "generated";
    if (choice == "real") {
      c->name = RealArchive();
      c->list_id = "linuxppc-dev.lists.ozlabs.org";
      c->mbox = ReadMboxFile(c->name);
    } else if (choice == "generated") {
      const char* n = std::getenv("PB_BENCH_GEN_MAILS");
      std::string mails = n ? n : "5000";
      c->name = "bench/gen_mbox.py -n " + mails + " --seed 1";
      c->list_id = "bench.lists.example.org";
      c->mbox = ReadCommand("python3 " + ShellQuote(SourceDir() + "/bench/gen_mbox.py") +
                            " -n " + ShellQuote(mails) + " --seed 1 -o - 2>/dev/null");
    } else {
      c->name = choice;
      const char* l = std::getenv("PB_BENCH_LIST_ID");
      c->list_id = l ? l : "";
      c->mbox = ReadMboxFile(choice);
    }
    pb::mail::SplitMbox(c->mbox, [&](std::string_view raw) {
      c->owned.emplace_back(raw);
      c->bytes += raw.size();
      return true;
    });
    for (const auto& m : c->owned) c->mails.emplace_back(m);
    if (c->mails.empty()) throw std::runtime_error("no mails in " + c->name);
    std::fprintf(stderr, "corpus: %s: %zu mails, %.1f MB (mbox %.1f MB)\n", c->name.c_str(),
                 c->mails.size(), c->bytes / 1e6, c->mbox.size() / 1e6);
    return c;
  }();
  return *corpus;
}

void SetRates(benchmark::State& state, const Corpus& c) {
  state.counters["mails/s"] =
      benchmark::Counter(static_cast<double>(c.mails.size()),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(c.bytes) / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
  state.counters["mails"] = static_cast<double>(c.mails.size());
}

void BM_SplitMbox(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    size_t n = 0;
    pb::mail::SplitMbox(c.mbox, [&](std::string_view raw) {
      n += raw.size();
      return true;
    });
    benchmark::DoNotOptimize(n);
  }
  SetRates(state, c);
}

void BM_ParseOnly(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  size_t errors = 0, with_diff = 0;
  for (auto _ : state) {
    errors = with_diff = 0;
    for (auto raw : c.mails) {
      auto r = pb::parser::ParseMail(raw);
      if (!r.ok()) {
        ++errors;
      } else if (r->diff) {
        ++with_diff;
      }
      benchmark::DoNotOptimize(r);
    }
  }
  SetRates(state, c);
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["with_diff"] = static_cast<double>(with_diff);
}

std::string TempDir() {
  std::string t = (std::filesystem::temp_directory_path() / "pb-ingest-bench-XXXXXX").string();
  if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
  return t;
}

void BM_ParseStore(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  constexpr int kBatch = 500;  // as src/cli/ingest.cc
  const std::string dir = TempDir();
  const std::string path = dir + "/bench.db";
  int counts[7] = {};
  double statements = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto conn = pb::db::Open("sqlite://" + path);
    auto migrated = pb::db::Migrate(*conn);
    if (!migrated.ok()) {
      state.SkipWithError(migrated.status().message().c_str());
      break;
    }
    pb::db::ProjectRow p;
    p.linkname = "bench";
    p.name = "bench";
    p.listid = c.list_id.empty() ? "bench.lists.example.org" : c.list_id;
    p.listemail = "bench@lists.example.org";
    pb::db::InsertProject(*conn, p);
    // Experiment knob: /wal_ckpt_pages:N sets PRAGMA wal_autocheckpoint=N
    // (0 = the connection's default, 1000 pages unless src/db sets another).
    if (state.range(0) > 0) {
      conn->ExecScript("PRAGMA wal_autocheckpoint=" + std::to_string(state.range(0)));
    }
    pb::service::IngestOptions options;
    options.list_id = p.listid;
    options.own_transaction = false;
    for (auto& n : counts) n = 0;
    state.ResumeTiming();

    int in_batch = 0;
    conn->Begin();
    for (auto raw : c.mails) {
      auto r = pb::service::IngestMail(*conn, raw, options);
      ++counts[static_cast<int>(r.outcome)];
      if (++in_batch == kBatch) {
        conn->Commit();
        conn->Begin();
        in_batch = 0;
      }
    }
    conn->Commit();
    statements = static_cast<double>(conn->statements_executed());
    conn.reset();  // close: includes the WAL checkpoint
  }
  SetRates(state, c);
  using O = pb::service::Outcome;
  auto n = [&](O o) { return static_cast<double>(counts[static_cast<int>(o)]); };
  state.counters["patches"] = n(O::kPatch);
  state.counters["covers"] = n(O::kCover);
  state.counters["comments"] = n(O::kPatchComment) + n(O::kCoverComment);
  state.counters["dup+drop"] = n(O::kDuplicate) + n(O::kDropped);
  state.counters["failed"] = n(O::kFailed);
  // SQL statements per mail (includes the setup's migrations; they are few).
  state.counters["stmts/mail"] = statements / static_cast<double>(c.mails.size());
  std::filesystem::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_SplitMbox)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_ParseStore)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(5)
    ->ArgName("wal_ckpt_pages")
    ->Arg(0)
    ->Arg(16384);

int main(int argc, char** argv) {
  // Our own flags first; Google Benchmark rejects flags it does not know.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.substr(0, 9) == "--corpus=") {
      g_corpus_choice = std::string(a.substr(9));
    } else if (a == "--help" || a == "-h") {
      std::printf(
          "ingest_bench [--corpus=real|generated|PATH] [benchmark flags]\n"
          "  env: PB_BENCH_CORPUS (same as --corpus), PB_BENCH_GEN_MAILS (default 5000),\n"
          "       PB_BENCH_LIST_ID (project list id for --corpus=PATH)\n");
      argv[out++] = argv[i];
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    GetCorpus();  // load before timing starts, and fail early
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ingest_bench: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
