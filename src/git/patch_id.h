// git's patch-id (`git patch-id --stable`): a hash of a diff that ignores
// line numbers and whitespace, so it survives a patch applied at another
// offset or with its whitespace fixed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pb::git {

// One `git patch-id --stable` process for all the diffs: each is fed as a
// patch of its own under a "commit" line naming its key. Returns key ->
// patch-id; a diff git finds no change in (empty, binary-only) is absent.
Result<std::map<int64_t, std::string>> PatchIds(const std::string& repo,
                                                const std::vector<std::pair<int64_t, std::string>>& diffs);

}  // namespace pb::git
