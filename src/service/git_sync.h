// Merged-patch detection (`patchbay git-sync`, docs/git-sync.md): for each
// new commit of a repository, oldest first, find the patch it came from and
// mark it Accepted with the commit as its commit_ref. The rules, in order:
//
//   trailer    a `Link:` trailer whose URL ends in a msgid, or a
//              `Message-Id:` trailer, naming a stored patch;
//   hash       Patchwork's hash of the commit's diff (parser::HashDiff, as
//              at ingestion): line numbers do not count, every byte of the
//              lines does;
//   patch-id   `git patch-id --stable` of the commit against that of the
//              stored diffs: whitespace does not count either;
//   heuristic  same author address, same subject once "[PATCH v2 1/3]"
//              prefixes are stripped, the same set of files, posted before
//              the commit was made, still waiting for action;
//   changed-lines  as heuristic, but the subject may differ and the lines
//              the diff adds and removes (context and line numbers aside)
//              must be the same: a posting rebased and reworded on the way.
//
// The two heuristics decide only when trailer, hash and patch-id found
// nothing; otherwise they find earlier versions (a v1 made on an older
// base) to supersede.
//
// The patches found by trailer, hash and patch-id are postings of one
// change (v1, v2, a resend): the newest of those the best rule found is
// accepted and the rest superseded. A patch in a final state (its state's
// action_required is false) is never changed, so a second run changes
// nothing. Every match is recorded with its rule (patch_git_matches), and
// state changes go through ApplyPatchChanges: the same events and
// notifications as any other state change.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

struct GitSyncMatch {
  std::string commit;
  std::string commit_subject;
  db::Id patch_id = 0;
  std::string patch_name;
  std::string rule;    // trailer | hash | patch-id | heuristic | changed-lines
  std::string action;  // accepted | superseded | unchanged (already in a final state)
};

struct GitSyncReport {
  size_t commits = 0;          // commits read
  size_t matched_commits = 0;  // commits that newly matched a patch
  std::vector<GitSyncMatch> matches;  // newly recorded matches, in commit order
};

// Syncs `branch` (empty: the branch HEAD names). With `since`, the commits
// after it; without, those after the last synced commit of this branch, or
// the whole history the first time (or after the branch was rewritten).
Result<GitSyncReport> GitSyncBranch(db::Connection& c, std::string_view project, const std::string& repo,
                                    std::string branch, const std::string& since);

// One line of what a post-receive hook reads on stdin: "<old> <new> <ref>".
struct GitPush {
  std::string old_sha, new_sha, ref;
};
// Syncs the pushed ranges of branches (refs/heads/...); with `branch` set,
// of that branch only. A created branch contributes the commits no other
// branch has; a deleted one nothing.
Result<GitSyncReport> GitSyncPushes(db::Connection& c, std::string_view project, const std::string& repo,
                                    const std::vector<GitPush>& pushes, const std::string& branch);

// The subject a commit and a posting share: without leading "[...]"
// groups, with runs of white space as one space.
std::string NormalizedSubject(std::string_view subject);

// Whether a posting named `name` has the commit's subject (`subject`, as
// NormalizedSubject gives it). A name of 255 characters was cut there when
// the mail was parsed (as upstream does), so it matches a subject it begins.
bool SameSubject(std::string_view name, std::string_view subject);

// SHA-1 of the "--- a/"/"+++ b/" file lines and the added and removed lines
// of a diff (trailing blanks dropped), hunk context and line numbers left
// out; "" when it adds or removes nothing.
std::string ChangedLinesHash(std::string_view diff);

}  // namespace pb::service
