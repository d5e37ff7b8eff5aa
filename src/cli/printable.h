// Text from mail (Message-IDs, reasons) printed on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace pb::cli {

// C0 and C1 controls, DEL and bytes that are not UTF-8 become \xNN, so a
// mail cannot drive the terminal with escape sequences.
std::string Printable(std::string_view s);

// An error message (PostgreSQL's span several lines) as one line: line
// breaks and the white space around them become "; ".
std::string OneLine(std::string_view s);

}  // namespace pb::cli
