// The `headers` object of patch/cover/comment details (spec §3.8.5): the
// stored header text parsed the way upstream does it, with Python's
// email.parser (compat32 policy, headers only), then one entry per header
// name: a string, or a list when the name occurs more than once.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::api {

struct HeaderEntry {
  std::string name;                 // as first spelled
  std::vector<std::string> values;  // every value whose name matches case-insensitively
};

// Raw (name, value) pairs in order, as email.parser keeps them: values
// unfolded only by dropping the leading blanks of the first line; inner
// line breaks and continuation whitespace stay.
std::vector<std::pair<std::string, std::string>> ParseHeaderLines(std::string_view text);

// The same pairs as views into `text` (values are contiguous spans of it).
std::vector<std::pair<std::string_view, std::string_view>> ParseHeaderViews(std::string_view text);

// Calls `fn` once per dict key, in order, with every matching value; no
// copies (HeadersDict below is the owning form).
void ForEachHeaderEntry(std::string_view text,
                        const std::function<void(std::string_view name,
                                                 const std::vector<std::string_view>& values)>& fn);

// The dict upstream builds: keys in first-occurrence order of each exact
// spelling; a differently-cased duplicate becomes its own key with the same
// value list (Python dict semantics over msg.keys()/get_all()).
std::vector<HeaderEntry> HeadersDict(std::string_view text);

}  // namespace pb::api
