// The storage of `patchbay git-sync` (service/git_sync.h): the lookups that
// find the patches a commit came from, each one indexed statement per
// commit, the recorded matches, the cached git patch-ids of stored diffs,
// and the per-branch cursor. Every function runs inside the caller's
// transaction or snapshot.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "core/time.h"
#include "db/records.h"

namespace pb::db {

// A patch a commit may have come from, with what the rules compare.
struct GitCandidate {
  Id id = 0;
  std::string msgid;
  std::string name;
  Micros date = 0;
  Id state_id = 0;
  std::optional<Id> series_id;
  bool action_required = true;  // false: a final state, never changed by git-sync
  std::string submitter_email;
  std::optional<std::string> hash;  // Patchwork's hash of its diff
};

// Patches of the project with one of these msgids (UNIQUE (msgid, project_id)).
std::vector<GitCandidate> GitCandidatesByMsgid(Connection& c, Id project_id,
                                               const std::vector<std::string>& msgids);
// Patches of the project with this Patchwork hash (patches_hash).
std::vector<GitCandidate> GitCandidatesByHash(Connection& c, Id project_id, std::string_view hash);
// Patches of the project whose stored diff has this git patch-id.
std::vector<GitCandidate> GitCandidatesByPatchId(Connection& c, Id project_id, std::string_view patch_id);
// Patches of the project whose stored diff changes these lines
// (service::ChangedLinesHash), dated at or before `until`.
std::vector<GitCandidate> GitCandidatesByChangedLines(Connection& c, Id project_id, std::string_view hash,
                                                      Micros until);
// Patches of the project submitted from this address (case-insensitive,
// people_email_lower then patches_submitter), dated at or before `until`,
// with a diff and in a state that needs action.
std::vector<GitCandidate> GitCandidatesBySubmitter(Connection& c, Id project_id, std::string_view email,
                                                   Micros until);
// The diffs of these patches, in one statement.
std::vector<std::pair<Id, std::string>> PatchDiffsById(Connection& c, const std::vector<Id>& ids);

// Up to `limit` patches of the project with a diff and no patch-id cached
// yet, by id above `after_id`.
std::vector<std::pair<Id, std::string>> PatchesWithoutGitPatchId(Connection& c, Id project_id, Id after_id,
                                                                 int64_t limit);
// "" records a diff git found nothing in, so it is not fed again.
void InsertGitPatchId(Connection& c, Id patch_id, Id project_id, std::string_view git_patch_id,
                      std::string_view changed_lines);

// Returns false when (patch, commit) was recorded already.
bool InsertGitMatch(Connection& c, Id patch_id, std::string_view commit, Id project_id, std::string_view rule,
                    std::string_view action, Micros now);

struct GitMatchRow {
  Id patch_id = 0;
  std::string patch_name;
  std::string commit;
  std::string rule, action;
  Micros matched_at = 0;
};
// The project's recorded matches, newest first (`git-sync --report`).
std::vector<GitMatchRow> ListGitMatches(Connection& c, Id project_id, int64_t limit);

std::optional<std::string> GitSyncCursor(Connection& c, Id project_id, std::string_view repo,
                                         std::string_view branch);
void SetGitSyncCursor(Connection& c, Id project_id, std::string_view repo, std::string_view branch,
                      std::string_view commit, Micros now);

}  // namespace pb::db
