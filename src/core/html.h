// HTML escaping as Django's escape() does it: & < > " ' become entities.
#pragma once

#include <string>
#include <string_view>

namespace pb {

std::string HtmlEscape(std::string_view s);

}  // namespace pb
