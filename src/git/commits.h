// The commits of a range, oldest first, as `git log -p` shows them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace pb::git {

struct Commit {
  std::string sha;
  std::string author_name, author_email;
  int64_t committer_time = 0;  // seconds since the epoch
  std::string subject;         // the first line of the message
  std::string message;         // the whole message (%B), trailers included
  std::string diff;            // `git show --format=` text: what format-patch mails carry
};

// The non-merge commits of `revs` (rev-list arguments: "A..B", "B",
// "B --not C D"), oldest first (topological order, then reversed).
Result<std::vector<Commit>> ReadCommits(const std::string& repo, const std::vector<std::string>& revs);

// `git rev-parse --verify REV^{commit}`; an error for an unknown revision.
Result<std::string> ResolveCommit(const std::string& repo, const std::string& rev);
// The branch HEAD names ("main"); an error for a detached HEAD.
Result<std::string> CurrentBranch(const std::string& repo);
// Every ref under refs/heads/.
Result<std::vector<std::string>> BranchRefs(const std::string& repo);
// True when `ancestor` is reachable from `descendant`.
bool IsAncestor(const std::string& repo, const std::string& ancestor, const std::string& descendant);
// The absolute path of the repository's git directory (a stable name for it).
Result<std::string> GitDir(const std::string& repo);

}  // namespace pb::git
