// Subject-line helpers shared by ParseMail and its tests (spec §2.7).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::parser {

// parse_series_marker: the first prefix like "1/3", "PATCH1/8", "1 of 3".
std::optional<std::pair<int, int>> ParseSeriesMarker(const std::vector<std::string>& prefixes);

// parse_version: "v2" prefix, else "(v2)" in the name, else 1.
int ParseVersion(std::string_view name, const std::vector<std::string>& prefixes);

// subject_check on an already cleaned subject: a leading "Re" + ':' or space.
bool IsReplySubject(std::string_view cleaned_subject);

// split_prefixes: the tokens of one "[...]" group.
std::vector<std::string> SplitPrefixes(std::string_view prefix);

// clean_subject on an already clean_header()ed subject.
struct CleanedSubjectParts {
  std::string name;
  std::vector<std::string> prefixes;
};
CleanedSubjectParts CleanCleanedSubject(std::string_view cleaned,
                                        const std::vector<std::string>& drop_prefixes);

}  // namespace pb::parser
