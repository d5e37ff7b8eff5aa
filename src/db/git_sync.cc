#include "db/git_sync.h"

#include <algorithm>

namespace pb::db {
namespace {

// Each lookup must seek its own index (hash, msgid, patch-id, address),
// never walk the project: no ORDER BY (the caller compares dates), and
// "+p.project_id" keeps SQLite's planner off patches_project_date, which
// it otherwise prefers for small tables without statistics.

constexpr std::string_view kCandidateColumns =
    "SELECT p.id, p.msgid, p.name, p.date, p.state_id, p.series_id, s.action_required, pe.email, "
    "p.hash "
    "FROM patches p JOIN states s ON s.id = p.state_id JOIN people pe ON pe.id = p.submitter_id ";

std::vector<GitCandidate> ReadCandidates(Query& q) {
  std::vector<GitCandidate> out;
  while (q.Next()) {
    out.push_back({q.Int(0), q.Str(1), q.Str(2), q.Int(3), q.Int(4), q.OptInt(5), q.Int(6) != 0, q.Str(7),
                   q.OptStr(8)});
  }
  return out;
}

// "?2,?3,..." for `count` text values from ?first, padded to IdListSize so
// the statement cache sees few shapes (the padding repeats the last value).
std::string TextListPlaceholders(size_t count, int first) { return IdListPlaceholders(count, first); }

void BindTextList(Query& q, const std::vector<std::string>& values, int first) {
  size_t n = IdListSize(values.size());
  for (size_t i = 0; i < n; ++i) {
    q.Bind(first + static_cast<int>(i), values[std::min(i, values.size() - 1)]);
  }
}

}  // namespace

std::vector<GitCandidate> GitCandidatesByMsgid(Connection& c, Id project_id,
                                               const std::vector<std::string>& msgids) {
  if (msgids.empty()) return {};
  Query q(c, std::string(kCandidateColumns) + "WHERE p.project_id = ?1 AND p.msgid IN (" +
                 TextListPlaceholders(msgids.size(), 2) + ")");
  q.Bind(1, project_id);
  BindTextList(q, msgids, 2);
  return ReadCandidates(q);
}

std::vector<GitCandidate> GitCandidatesByHash(Connection& c, Id project_id, std::string_view hash) {
  Query q(c, std::string(kCandidateColumns) + "WHERE p.hash = ?2 AND +p.project_id = ?1",
          project_id, hash);
  return ReadCandidates(q);
}

std::vector<GitCandidate> GitCandidatesByPatchId(Connection& c, Id project_id, std::string_view patch_id) {
  Query q(c,
          std::string(kCandidateColumns) +
              "JOIN patch_git_ids g ON g.patch_id = p.id "
              "WHERE g.project_id = ?1 AND g.git_patch_id = ?2",
          project_id, patch_id);
  return ReadCandidates(q);
}

std::vector<GitCandidate> GitCandidatesByChangedLines(Connection& c, Id project_id, std::string_view hash,
                                                      Micros until) {
  Query q(c,
          std::string(kCandidateColumns) +
              "JOIN patch_git_ids g ON g.patch_id = p.id "
              "WHERE g.project_id = ?1 AND g.changed_lines = ?2 AND p.date <= ?3",
          project_id, hash, until);
  return ReadCandidates(q);
}

std::vector<GitCandidate> GitCandidatesBySubmitter(Connection& c, Id project_id, std::string_view email,
                                                   Micros until) {
  Query q(c,
          std::string(kCandidateColumns) +
              "WHERE lower(pe.email) = lower(?2) AND +p.project_id = ?1 AND +p.date <= ?3 "
              "AND p.diff IS NOT NULL AND s.action_required <> 0",
          project_id, email, until);
  return ReadCandidates(q);
}

std::vector<std::pair<Id, std::string>> PatchDiffsById(Connection& c, const std::vector<Id>& ids) {
  std::vector<std::pair<Id, std::string>> out;
  if (ids.empty()) return out;
  Query q(c, "SELECT id, diff FROM patches WHERE diff IS NOT NULL AND id IN (" +
                 IdListPlaceholders(ids.size(), 1) + ")");
  BindIdList(q, ids, 1);
  while (q.Next()) out.emplace_back(q.Int(0), q.Str(1));
  return out;
}

std::vector<std::pair<Id, std::string>> PatchesWithoutGitPatchId(Connection& c, Id project_id, Id after_id,
                                                                 int64_t limit) {
  std::vector<std::pair<Id, std::string>> out;
  Query q(c,
          "SELECT p.id, p.diff FROM patches p LEFT JOIN patch_git_ids g ON g.patch_id = p.id "
          "WHERE p.project_id = ?1 AND p.id > ?2 AND p.diff IS NOT NULL AND g.patch_id IS NULL "
          "ORDER BY p.id LIMIT ?3",
          project_id, after_id, limit);
  while (q.Next()) out.emplace_back(q.Int(0), q.Str(1));
  return out;
}

void InsertGitPatchId(Connection& c, Id patch_id, Id project_id, std::string_view git_patch_id,
                      std::string_view changed_lines) {
  Query(c,
        "INSERT INTO patch_git_ids (patch_id, project_id, git_patch_id, changed_lines) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        patch_id, project_id, git_patch_id, changed_lines)
      .Run();
}

bool InsertGitMatch(Connection& c, Id patch_id, std::string_view commit, Id project_id, std::string_view rule,
                    std::string_view action, Micros now) {
  return Query(c,
               "INSERT INTO patch_git_matches (patch_id, commit_sha, project_id, rule, action, matched_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
               patch_id, commit, project_id, rule, action, now)
             .Run() > 0;
}

std::vector<GitMatchRow> ListGitMatches(Connection& c, Id project_id, int64_t limit) {
  std::vector<GitMatchRow> out;
  Query q(c,
          "SELECT m.patch_id, p.name, m.commit_sha, m.rule, m.action, m.matched_at "
          "FROM patch_git_matches m JOIN patches p ON p.id = m.patch_id "
          "WHERE m.project_id = ?1 ORDER BY m.matched_at DESC, m.patch_id DESC LIMIT ?2",
          project_id, limit);
  while (q.Next()) out.push_back({q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Str(4), q.Int(5)});
  return out;
}

std::optional<std::string> GitSyncCursor(Connection& c, Id project_id, std::string_view repo,
                                         std::string_view branch) {
  Query q(c, "SELECT commit_sha FROM git_sync_cursors WHERE project_id = ?1 AND repo = ?2 AND branch = ?3",
          project_id, repo, branch);
  if (!q.Next()) return std::nullopt;
  return q.Str(0);
}

void SetGitSyncCursor(Connection& c, Id project_id, std::string_view repo, std::string_view branch,
                      std::string_view commit, Micros now) {
  Query(c, "DELETE FROM git_sync_cursors WHERE project_id = ?1 AND repo = ?2 AND branch = ?3", project_id,
        repo, branch)
      .Run();
  Query(c,
        "INSERT INTO git_sync_cursors (project_id, repo, branch, commit_sha, updated) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        project_id, repo, branch, commit, now)
      .Run();
}

}  // namespace pb::db
