#include "git/commits.h"

#include <string_view>

#include "git/run.h"

namespace pb::git {
namespace {

// Record layout of ReadCommits' `git log`: \x1e starts a commit, \x1f
// separates its header fields, and the diff follows the last \x1f. Neither
// byte occurs in a text diff or a sane commit message; a message that
// carried one would only shift that one commit's fields.
constexpr char kRecord = '\x1e';
constexpr char kField = '\x1f';

std::string TrimNewlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  return std::string(s);
}

std::string FirstLine(std::string_view s) { return std::string(s.substr(0, s.find('\n'))); }

std::string Chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<std::vector<Commit>> ReadCommits(const std::string& repo, const std::vector<std::string>& revs) {
  std::vector<std::string> args = {"log", "--reverse", "--topo-order", "--no-merges", "-p",
                                   "--no-color", "--no-ext-diff", "--no-textconv",
                                   "--src-prefix=a/", "--dst-prefix=b/",
                                   "--format=%x1e%H%x1f%an%x1f%ae%x1f%ct%x1f%B%x1f"};
  args.insert(args.end(), revs.begin(), revs.end());
  args.push_back("--");
  auto out = RunGit(repo, args);
  if (!out.ok()) return out.status();
  std::vector<Commit> commits;
  std::string_view text = *out;
  size_t pos = text.find(kRecord);
  while (pos != std::string_view::npos) {
    size_t next = text.find(kRecord, pos + 1);
    std::string_view rec = text.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
    pos = next;
    std::vector<std::string_view> fields;
    for (int i = 0; i < 5; ++i) {
      size_t sep = rec.find(kField);
      if (sep == std::string_view::npos) break;
      fields.push_back(rec.substr(0, sep));
      rec.remove_prefix(sep + 1);
    }
    if (fields.size() < 5) continue;
    Commit c;
    c.sha = std::string(fields[0]);
    c.author_name = std::string(fields[1]);
    c.author_email = std::string(fields[2]);
    try { c.committer_time = std::stoll(std::string(fields[3])); } catch (...) {}
    c.message = Chomp(std::string(fields[4]));
    c.subject = FirstLine(c.message);
    c.diff = TrimNewlines(rec);
    commits.push_back(std::move(c));
  }
  return commits;
}

Result<std::string> ResolveCommit(const std::string& repo, const std::string& rev) {
  auto out = RunGit(repo, {"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"});
  if (!out.ok()) return Status::NotFound("unknown revision '" + rev + "'");
  return Chomp(*out);
}

Result<std::string> CurrentBranch(const std::string& repo) {
  auto out = RunGit(repo, {"symbolic-ref", "--quiet", "--short", "HEAD"});
  if (!out.ok()) return Status::Invalid("HEAD is detached: give --branch");
  return Chomp(*out);
}

Result<std::vector<std::string>> BranchRefs(const std::string& repo) {
  auto out = RunGit(repo, {"for-each-ref", "--format=%(refname)", "refs/heads/"});
  if (!out.ok()) return out.status();
  std::vector<std::string> refs;
  std::string_view s = *out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (!line.empty()) refs.emplace_back(line);
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return refs;
}

bool IsAncestor(const std::string& repo, const std::string& ancestor, const std::string& descendant) {
  return RunGit(repo, {"merge-base", "--is-ancestor", ancestor, descendant}).ok();
}

Result<std::string> GitDir(const std::string& repo) {
  auto out = RunGit(repo, {"rev-parse", "--absolute-git-dir"});
  if (!out.ok()) return out.status();
  return Chomp(*out);
}

}  // namespace pb::git
