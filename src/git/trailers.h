// The Message-Ids a commit message names: `Link:` trailers whose URL ends
// in a msgid (lore.kernel.org/r/<msgid>, patch.msgid.link/<msgid>) and
// `Message-Id:` trailers (b4 and `git am --message-id` write them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pb::git {

// In the stored form, with angle brackets ("<id@host>"), in message order,
// without repeats.
std::vector<std::string> TrailerMsgids(std::string_view message);

}  // namespace pb::git
