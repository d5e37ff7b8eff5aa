// Body content extraction (spec §2.10, §2.11): which text parts count, how a
// plain-text body splits into comment and diff, signature removal, and the
// pull-request URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::mail {
class Message;
}

namespace pb::parser {

// parse_patch(text): (diff, comment), each nullopt when empty.
struct PatchSplit {
  std::optional<std::string> diff;
  std::optional<std::string> comment;
};
PatchSplit ParsePatch(std::string_view text);

// clean_content: cut at the first "-- " or "____" line, then strip.
std::string CleanContent(std::string_view content);

// parse_pull_request on the cleaned message.
std::optional<std::string> ParsePullRequest(std::string_view content);

// _find_content: (decoded text, content subtype) of every text/* part.
std::vector<std::pair<std::string, std::string>> FindTextParts(const mail::Message& msg);

// find_patch_content / find_comment_content.
struct Content {
  std::optional<std::string> diff;  // may be an empty string (an empty x-patch part)
  std::string message;              // cleaned comment text, possibly empty
};
Content FindPatchContent(const mail::Message& msg);
Content FindCommentContent(const mail::Message& msg);

}  // namespace pb::parser
