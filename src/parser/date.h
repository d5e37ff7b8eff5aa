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

}  // namespace pb::parser
