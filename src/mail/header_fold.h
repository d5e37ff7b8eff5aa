// Python's email.header.Header(value).encode(maxlinelen=...) for ASCII values:
// the folding upstream Patchwork applies when it stores headers (76 columns)
// and again when it writes mbox files (78 columns, compat32 policy). Matching
// it byte for byte is what makes stored headers and mbox downloads identical
// to upstream's.
#pragma once

#include <string>
#include <string_view>

namespace pb::mail {

// Folds `value` (which may already contain folds: "a\n b") for a header
// called `name`; returns the text after "Name: ", lines joined by "\n".
std::string FoldAsciiHeader(std::string_view name, std::string_view value, size_t max_line_len);

}  // namespace pb::mail
