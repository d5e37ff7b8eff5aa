#include "git/patch_id.h"

#include <cstdio>
#include <string_view>

#include "git/run.h"

namespace pb::git {

Result<std::map<int64_t, std::string>> PatchIds(const std::string& repo,
                                                const std::vector<std::pair<int64_t, std::string>>& diffs) {
  std::map<int64_t, std::string> ids;
  if (diffs.empty()) return ids;
  std::string input;
  char header[64];
  for (const auto& [key, diff] : diffs) {
    // patch-id names each result by the object id on the "commit" line; a
    // key written as 40 hex digits comes back as is.
    std::snprintf(header, sizeof header, "commit %040llx\n\n", static_cast<unsigned long long>(key));
    input += header;
    input += diff;
    if (!diff.empty() && diff.back() != '\n') input += '\n';
  }
  auto out = RunGit(repo, {"patch-id", "--stable"}, input);
  if (!out.ok()) return out.status();
  std::string_view s = *out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (line.size() == 81 && line[40] == ' ') {
      ids[static_cast<int64_t>(std::stoull(std::string(line.substr(41)), nullptr, 16))] =
          std::string(line.substr(0, 40));
    }
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return ids;
}

}  // namespace pb::git
