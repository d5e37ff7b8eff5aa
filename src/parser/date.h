// Mail Date: headers, parsed the way Python's email.utils.parsedate_tz and
// Patchwork's find_date do it (spec §2.8): lenient about obsolete forms,
// zone names and two-digit years; anything out of range is "no date".
#pragma once

#include <optional>
#include <string_view>

#include "core/time.h"

namespace pb::parser {

// `cleaned` is clean_header(Date). nullopt where upstream falls back to "now".
std::optional<Micros> ParseMailDate(std::string_view cleaned);

namespace detail {
// ParseMailDate without its shortcut for the common form; for the tests
// that hold the two to the same answers.
std::optional<Micros> ParseMailDateGeneral(std::string_view cleaned);
}  // namespace detail

}  // namespace pb::parser
