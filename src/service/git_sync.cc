#include "service/git_sync.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <map>
#include <optional>

#include "core/time.h"
#include "db/admin.h"
#include "db/git_sync.h"
#include "db/mail_store.h"
#include "db/projects.h"
#include "git/commits.h"
#include "git/patch_id.h"
#include "git/trailers.h"
#include "parser/parsed_mail.h"
#include "service/patch_updates.h"
#include "core/strings.h"

namespace pb::service {
namespace {

// Rules by priority; the names are what patch_git_matches.rule holds.
enum Rule { kTrailer = 0, kHash = 1, kPatchId = 2, kHeuristic = 3, kChangedLines = 4 };
constexpr std::string_view kRuleNames[] = {"trailer", "hash", "patch-id", "heuristic", "changed-lines"};

// HashDiff of a diff with no hunk lines: such a commit (an empty one, a
// mode change) says nothing about where it came from.
constexpr std::string_view kEmptyHash = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

// Stored diffs are fed to one `git patch-id` per chunk.
constexpr int64_t kPatchIdChunk = 2000;

struct Found {
  db::GitCandidate patch;
  Rule rule;
};

struct Context {
  db::Connection& c;
  db::Id project_id = 0;
  db::Id accepted_state = 0;
  db::Id superseded_state = 0;
  std::string repo;
};

bool NewerThan(const db::GitCandidate& a, const db::GitCandidate& b) {
  return a.date != b.date ? a.date > b.date : a.id > b.id;
}

// Gives every stored diff of the project its git patch-id, once.
Status CachePatchIds(Context& x) {
  db::Id after = 0;
  for (;;) {
    auto batch = db::PatchesWithoutGitPatchId(x.c, x.project_id, after, kPatchIdChunk);
    if (batch.empty()) return Status::Ok();
    after = batch.back().first;
    auto ids = git::PatchIds(x.repo, batch);
    if (!ids.ok()) return ids.status();
    db::Transaction tx(x.c);
    for (const auto& [patch_id, diff] : batch) {
      auto it = ids->find(patch_id);
      db::InsertGitPatchId(x.c, patch_id, x.project_id, it == ids->end() ? "" : it->second,
                           ChangedLinesHash(diff));
    }
    tx.Commit();
  }
}

void Add(std::map<db::Id, Found>& found, const std::vector<db::GitCandidate>& patches, Rule rule) {
  for (const auto& p : patches) found.emplace(p.id, Found{p, rule});  // keeps the first (best) rule
}

std::vector<std::string> SortedFiles(std::string_view diff) {
  auto files = parser::DiffFileNames(diff);
  std::sort(files.begin(), files.end());
  return files;
}

// The conservative last resort: same author, subject and files, posted
// before the commit was made, and still waiting for action.
void AddHeuristic(Context& x, const git::Commit& commit, std::map<db::Id, Found>& found) {
  std::string subject = NormalizedSubject(commit.subject);
  auto files = SortedFiles(commit.diff);
  if (subject.empty() || files.empty() || commit.author_email.empty()) return;
  std::vector<db::GitCandidate> same_subject;
  for (auto& p : db::GitCandidatesBySubmitter(x.c, x.project_id, commit.author_email,
                                              commit.committer_time * 1000000)) {
    if (p.action_required && SameSubject(p.name, subject)) same_subject.push_back(std::move(p));
  }
  if (same_subject.empty()) return;
  std::vector<db::Id> ids;
  for (const auto& p : same_subject) ids.push_back(p.id);
  std::map<db::Id, std::vector<std::string>> files_of;
  for (const auto& [id, diff] : db::PatchDiffsById(x.c, ids)) files_of[id] = SortedFiles(diff);
  for (const auto& p : same_subject) {
    if (files_of[p.id] == files) found.emplace(p.id, Found{p, kHeuristic});
  }
}

bool SameAddress(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A posting made on another base and reworded when applied keeps neither
// hash, patch-id nor subject, but its changed lines are the same: same
// author, same files, the same lines added and removed.
void AddChangedLines(Context& x, const git::Commit& commit, std::map<db::Id, Found>& found) {
  std::string lines = ChangedLinesHash(commit.diff);
  if (lines.empty() || commit.author_email.empty()) return;
  std::vector<db::GitCandidate> same_lines;
  for (auto& p : db::GitCandidatesByChangedLines(x.c, x.project_id, lines, commit.committer_time * 1000000)) {
    if (p.action_required && SameAddress(p.submitter_email, commit.author_email)) {
      same_lines.push_back(std::move(p));
    }
  }
  if (same_lines.empty()) return;
  auto files = SortedFiles(commit.diff);
  std::vector<db::Id> ids;
  for (const auto& p : same_lines) ids.push_back(p.id);
  std::map<db::Id, std::vector<std::string>> files_of;
  for (const auto& [id, diff] : db::PatchDiffsById(x.c, ids)) files_of[id] = SortedFiles(diff);
  for (const auto& p : same_lines) {
    if (files_of[p.id] == files) found.emplace(p.id, Found{p, kChangedLines});
  }
}

// Postings dated after the commit was made cannot be where it came from
// unless the author committed before mailing it; they win only when no
// earlier one was found, and are never superseded by this commit.
bool PostedBefore(const db::GitCandidate& p, const git::Commit& commit) {
  return p.date <= commit.committer_time * 1000000;
}

// One commit, in one transaction.
void SyncCommit(Context& x, const git::Commit& commit, const std::optional<std::string>& patch_id,
                GitSyncReport& report) {
  db::Transaction tx(x.c);
  std::map<db::Id, Found> found;
  Add(found, db::GitCandidatesByMsgid(x.c, x.project_id, git::TrailerMsgids(commit.message)), kTrailer);
  std::string hash = parser::HashDiff(commit.diff);
  if (hash != kEmptyHash) Add(found, db::GitCandidatesByHash(x.c, x.project_id, hash), kHash);
  if (patch_id && !patch_id->empty()) {
    Add(found, db::GitCandidatesByPatchId(x.c, x.project_id, *patch_id), kPatchId);
  }
  // The heuristic decides alone only when nothing exact matched; otherwise
  // it finds the earlier versions (v1 of an accepted v2, its diff rebased)
  // to supersede.
  AddHeuristic(x, commit, found);
  AddChangedLines(x, commit, found);
  if (found.empty()) return;

  Rule best = kChangedLines;
  for (const auto& [id, f] : found) best = std::min(best, f.rule);
  const Found* winner = nullptr;
  for (bool need_before : {true, false}) {
    for (const auto& [id, f] : found) {
      if (f.rule != best || (need_before && !PostedBefore(f.patch, commit))) continue;
      if (!winner || NewerThan(f.patch, winner->patch)) winner = &f;
    }
    if (winner) break;
  }
  // Postings of the winner's very diff are one change whichever rule found
  // them (a resend whose subject no longer matched, say): the newest of
  // them posted before the commit is the one applied, the others earlier
  // versions. Only when this commit would accept the winner, so a re-run
  // over a winner already accepted changes nothing.
  if (winner && winner->patch.action_required && winner->patch.hash) {
    const bool before = PostedBefore(winner->patch, commit);
    for (const auto& [id, f] : found) {
      if (f.patch.action_required && f.patch.hash == winner->patch.hash && NewerThan(f.patch, winner->patch) &&
          (!before || PostedBefore(f.patch, commit))) {
        winner = &f;
      }
    }
  }

  Micros now = NowMicros();
  bool changed = false;
  size_t before = report.matches.size();
  for (const auto& [id, f] : found) {
    const bool is_winner = &f == winner;
    // Only earlier postings are superseded: a later one may be a resend
    // that a later commit applies. A patch of the winner's own series is
    // another change of that series, not an earlier version.
    if (!is_winner && (!PostedBefore(f.patch, commit) || NewerThan(f.patch, winner->patch) ||
                       (f.patch.series_id && f.patch.series_id == winner->patch.series_id))) {
      continue;
    }
    std::string action = !f.patch.action_required ? "unchanged" : is_winner ? "accepted" : "superseded";
    if (!db::InsertGitMatch(x.c, id, commit.sha, x.project_id, kRuleNames[f.rule], action, now)) continue;
    if (f.patch.action_required) {
      PatchChanges ch;
      ch.state_id = is_winner ? x.accepted_state : x.superseded_state;
      if (is_winner) ch.commit_ref = std::optional<std::string>(commit.sha);
      Status s = ApplyPatchChanges(x.c, id, ch, std::nullopt);
      if (!s.ok()) throw db::DbError(db::DbError::Kind::kGeneric, s.message());
      changed = true;
    }
    report.matches.push_back({commit.sha, commit.subject, id, f.patch.name,
                              std::string(kRuleNames[f.rule]), action});
  }
  if (report.matches.size() > before) ++report.matched_commits;
  if (changed) db::BumpGeneration(x.c);
  tx.Commit();
}

Result<Context> Prepare(db::Connection& c, std::string_view project, const std::string& repo) {
  auto p = db::FindProject(c, project);
  if (!p) return Status::NotFound("no project '" + std::string(project) + "'");
  auto accepted = db::FindState(c, "accepted");
  auto superseded = db::FindState(c, "superseded");
  if (!accepted || !superseded) return Status::NotFound("the states 'accepted' and 'superseded' must exist");
  return Context{c, p->id, accepted->id, superseded->id, repo};
}

Status SyncRevs(Context& x, const std::vector<std::string>& revs, GitSyncReport& report) {
  auto commits = git::ReadCommits(x.repo, revs);
  if (!commits.ok()) return commits.status();
  report.commits += commits->size();
  if (commits->empty()) return Status::Ok();
  Status s = CachePatchIds(x);
  if (!s.ok()) return s;
  std::vector<std::pair<int64_t, std::string>> diffs;
  for (size_t i = 0; i < commits->size(); ++i) diffs.emplace_back(static_cast<int64_t>(i), (*commits)[i].diff);
  auto ids = git::PatchIds(x.repo, diffs);
  if (!ids.ok()) return ids.status();
  for (size_t i = 0; i < commits->size(); ++i) {
    auto it = ids->find(static_cast<int64_t>(i));
    SyncCommit(x, (*commits)[i], it == ids->end() ? std::nullopt : std::optional<std::string>(it->second),
               report);
  }
  return Status::Ok();
}

void SaveCursor(Context& x, const std::string& gitdir, const std::string& branch, const std::string& tip) {
  db::Transaction tx(x.c);
  db::SetGitSyncCursor(x.c, x.project_id, gitdir, branch, tip, NowMicros());
  tx.Commit();
}

bool IsZeroSha(std::string_view sha) {
  return !sha.empty() && std::all_of(sha.begin(), sha.end(), [](char ch) { return ch == '0'; });
}

}  // namespace

std::string ChangedLinesHash(std::string_view diff) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr);
  bool any = false;
  int64_t old_left = 0, new_left = 0;  // lines left in the current hunk
  auto count = [](std::string_view l, char side) -> int64_t {
    // "@@ -a[,b] +c[,d] @@": b or d, 1 when absent.
    size_t at = l.find(side == '-' ? " -" : " +");
    if (at == std::string_view::npos) return 0;
    size_t comma = l.find(',', at), space = l.find(' ', at + 2);
    if (comma == std::string_view::npos || comma > space) return 1;
    int64_t n = 0;
    for (size_t i = comma + 1; i < l.size() && std::isdigit(static_cast<unsigned char>(l[i])); ++i) {
      n = n * 10 + (l[i] - '0');
    }
    return n;
  };
  while (!diff.empty()) {
    size_t nl = diff.find('\n');
    std::string_view line = diff.substr(0, nl);
    diff.remove_prefix(nl == std::string_view::npos ? diff.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (old_left <= 0 && new_left <= 0) {
      if (line.compare(0, 3, "@@ ") == 0) {
        old_left = count(line, '-');
        new_left = count(line, '+');
      } else if (line.compare(0, 6, "+++ b/") == 0 || line.compare(0, 6, "--- a/") == 0) {
        // The file the following lines belong to (a deletion has no "+++ b/").
        EVP_DigestUpdate(ctx.get(), line.data(), line.size());
        EVP_DigestUpdate(ctx.get(), "\n", 1);
      }
      continue;
    }
    char kind = line.empty() ? ' ' : line[0];
    if (kind == '\\') continue;  // "\ No newline at end of file"
    if (kind != '-') --new_left;
    if (kind != '+') --old_left;
    if (kind != '+' && kind != '-') continue;
    while (line.size() > 1 && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    EVP_DigestUpdate(ctx.get(), line.data(), line.size());
    EVP_DigestUpdate(ctx.get(), "\n", 1);
    any = true;
  }
  if (!any) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return HexLower(md, len);
}

bool SameSubject(std::string_view name, std::string_view subject) {
  std::string normalized = NormalizedSubject(name);
  if (normalized == subject) return true;
  // Characters, not bytes: the parser cuts names at 255 code points.
  size_t chars = 0;
  for (unsigned char ch : name) chars += (ch & 0xC0) != 0x80;
  return chars >= 255 && !normalized.empty() && subject.starts_with(normalized);
}

std::string NormalizedSubject(std::string_view s) {
  auto skip_space = [&] {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  };
  skip_space();
  while (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) break;
    s.remove_prefix(close + 1);
    skip_space();
  }
  std::string out;
  bool space = false;
  for (char ch : s) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

Result<GitSyncReport> GitSyncBranch(db::Connection& c, std::string_view project, const std::string& repo,
                                    std::string branch, const std::string& since) {
  try {
    auto x = Prepare(c, project, repo);
    if (!x.ok()) return x.status();
    auto gitdir = git::GitDir(repo);
    if (!gitdir.ok()) return gitdir.status();
    if (branch.empty()) {
      auto current = git::CurrentBranch(repo);
      if (!current.ok()) return current.status();
      branch = *current;
    }
    auto tip = git::ResolveCommit(repo, branch);
    if (!tip.ok()) return tip.status();
    std::vector<std::string> revs;
    if (!since.empty()) {
      auto from = git::ResolveCommit(repo, since);
      if (!from.ok()) return from.status();
      revs = {*from + ".." + *tip};
    } else if (auto cursor = db::GitSyncCursor(c, x->project_id, *gitdir, branch);
               cursor && git::IsAncestor(repo, *cursor, *tip)) {
      revs = {*cursor + ".." + *tip};
    } else {
      revs = {*tip};
    }
    GitSyncReport report;
    Status s = SyncRevs(*x, revs, report);
    if (!s.ok()) return s;
    SaveCursor(*x, *gitdir, branch, *tip);
    return report;
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

Result<GitSyncReport> GitSyncPushes(db::Connection& c, std::string_view project, const std::string& repo,
                                    const std::vector<GitPush>& pushes, const std::string& branch) {
  try {
    auto x = Prepare(c, project, repo);
    if (!x.ok()) return x.status();
    auto gitdir = git::GitDir(repo);
    if (!gitdir.ok()) return gitdir.status();
    GitSyncReport report;
    for (const auto& push : pushes) {
      constexpr std::string_view kHeads = "refs/heads/";
      if (push.ref.compare(0, kHeads.size(), kHeads) != 0 || IsZeroSha(push.new_sha)) continue;
      std::string name = push.ref.substr(kHeads.size());
      if (!branch.empty() && name != branch) continue;
      std::vector<std::string> revs;
      if (IsZeroSha(push.old_sha)) {
        auto refs = git::BranchRefs(repo);
        if (!refs.ok()) return refs.status();
        revs = {push.new_sha, "--not"};
        for (const auto& r : *refs) {
          if (r != push.ref) revs.push_back(r);
        }
      } else {
        revs = {push.old_sha + ".." + push.new_sha};
      }
      Status s = SyncRevs(*x, revs, report);
      if (!s.ok()) return s;
      SaveCursor(*x, *gitdir, name, push.new_sha);
    }
    return report;
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

}  // namespace pb::service
