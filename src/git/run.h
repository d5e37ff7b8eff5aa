// Running the real `git` binary: git-sync reads commits with git itself
// rather than a hand-written reader of git's object store.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace pb::git {

// Runs `git -C repo ARGS...` with `input` on its stdin and returns its
// stdout. Settings that would change the diff text (colour, noprefix,
// external diff drivers) are overridden, so the output is what
// `git format-patch` writes. A non-zero exit is an error carrying stderr.
Result<std::string> RunGit(const std::string& repo, const std::vector<std::string>& args,
                           const std::string& input = {});

}  // namespace pb::git
