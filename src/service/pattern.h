// Admin-written regular expressions applied to mail text (a project's
// subject_match, a tag's pattern), with Python's re.M | re.I flags. RE2 runs
// in time linear in the text and without recursion, so a 100 KB subject or
// a pathological pattern cannot overflow the stack or stall ingestion as
// std::regex did. RE2 lacks back-references and look-around; a pattern
// using them does not compile and matches nothing (as an invalid one did).
#pragma once

#include <cstddef>
#include <string_view>

namespace pb::service {

// Only this much of a subject is searched: real subjects are far shorter,
// and the bound keeps one mail's cost independent of what it sends.
inline constexpr size_t kMaxSubjectExamined = 16 * 1024;

// re.search(pattern, text, re.M | re.I) is not None.
bool PatternSearch(std::string_view pattern, std::string_view text);

// len(re.findall(pattern, line, re.I)) summed over the lines of `text`.
int PatternCountPerLine(std::string_view pattern, std::string_view text);

}  // namespace pb::service
