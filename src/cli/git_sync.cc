// `patchbay git-sync`: marks the patches a repository merged as Accepted
// (service/git_sync.h, docs/git-sync.md), from the command line or from a
// post-receive hook, and `--report` lists what earlier runs matched.
#include <cstdio>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/open_db.h"
#include "cli/printable.h"
#include "cli/stdin_line.h"
#include "core/time.h"
#include "db/git_sync.h"
#include "db/projects.h"
#include "service/git_sync.h"

namespace pb::cli {
namespace {

constexpr const char* kUsage =
    "usage: patchbay git-sync --project P [--repo PATH] [--branch B] [--since REV] [-q]\n"
    "       patchbay git-sync --project P [--repo PATH] [--branch B] --hook   (post-receive: reads\n"
    "                         \"<old> <new> <ref>\" lines on stdin)\n"
    "       patchbay git-sync --project P --report [--limit N]\n"
    "       [--database URL]; PATH defaults to the current directory\n";

bool IsSha(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int Report(db::Connection& c, const std::string& project, const std::string& limit_text) {
  auto p = db::FindProject(c, project);
  if (!p) {
    std::fprintf(stderr, "patchbay: no project '%s'\n", Printable(project).c_str());
    return 1;
  }
  int64_t limit = 100;
  try {
    if (!limit_text.empty()) limit = std::stoll(limit_text);
  } catch (...) {
    std::fprintf(stderr, "patchbay: --limit takes a number\n");
    return 2;
  }
  auto rows = db::ListGitMatches(c, p->id, limit);
  for (const auto& r : rows) {
    std::printf("%s  %-10s  %-9s  %.12s  patch %lld  %s\n", FormatIsoDate(r.matched_at).c_str(),
                r.action.c_str(), r.rule.c_str(), r.commit.c_str(), static_cast<long long>(r.patch_id),
                Printable(r.patch_name).c_str());
  }
  if (rows.empty()) std::printf("no matches recorded\n");
  return 0;
}

}  // namespace

int GitSync(const Args& in) {
  Args args = in;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::printf("%s", kUsage);
    return 0;
  }
  std::string url = TakeDatabaseUrl(args);
  std::string project = TakeOption(args, "--project");
  std::string repo = TakeOption(args, "--repo");
  std::string branch = TakeOption(args, "--branch");
  std::string since = TakeOption(args, "--since");
  std::string limit = TakeOption(args, "--limit");
  bool hook = TakeFlag(args, "--hook");
  bool report = TakeFlag(args, "--report");
  bool quiet = TakeFlag(args, "-q") || TakeFlag(args, "--quiet");
  if (project.empty() || !args.empty() || (hook && !since.empty())) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  if (repo.empty()) repo = ".";
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  if (report) return Report(*conn, project, limit);

  Result<service::GitSyncReport> r = Status::Ok();
  if (hook) {
    std::vector<service::GitPush> pushes;
    std::string line;
    while (ReadStdinLine(line)) {
      std::istringstream fields(line);
      service::GitPush p;
      if (!(fields >> p.old_sha >> p.new_sha >> p.ref)) continue;
      if (!IsSha(p.old_sha) || !IsSha(p.new_sha)) {
        std::fprintf(stderr, "patchbay: not a post-receive line: %s\n", Printable(line).c_str());
        return 2;
      }
      pushes.push_back(std::move(p));
    }
    r = service::GitSyncPushes(*conn, project, repo, pushes, branch);
  } else {
    r = service::GitSyncBranch(*conn, project, repo, branch, since);
  }
  if (!r.ok()) {
    std::fprintf(stderr, "patchbay: git-sync: %s\n", Printable(r.status().message()).c_str());
    return 1;
  }
  size_t accepted = 0, superseded = 0;
  for (const auto& m : r->matches) {
    accepted += m.action == "accepted";
    superseded += m.action == "superseded";
    if (!quiet) {
      std::printf("%-10s  patch %lld  by %-9s  commit %.12s  %s\n", m.action.c_str(),
                  static_cast<long long>(m.patch_id), m.rule.c_str(), m.commit.c_str(),
                  Printable(m.patch_name).c_str());
    }
  }
  std::printf("git-sync: %zu commits read, %zu matched, %zu patches accepted, %zu superseded\n", r->commits,
              r->matched_commits, accepted, superseded);
  return 0;
}

}  // namespace pb::cli
