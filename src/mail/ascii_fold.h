// Python's header folding (email.header._ValueFormatter, the ASCII split)
// for a value that sanitise_header hands back as one us-ascii chunk: what
// nearly all the headers that need folding are (Received lines and Cc
// lists longer than a line, DKIM signatures, long References). The general
// algorithm (mail/header.cc) decodes, builds charsets, chunks and a line
// list per value, ~25k instructions; this one works on views of the value
// and writes the lines straight into the output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pb::mail {

// Printable ASCII, tabs and line breaks, and no "=?": decode_header hands
// the value back as it is, make_header makes it one us-ascii chunk, and
// splitlines() splits it only at its line breaks.
bool IsUnencodedAscii(std::string_view value);

// For an IsUnencodedAscii value: appends Header(value,
// header_name=<name of headerlen - 2 bytes>).encode() to `out`, or returns
// false, `out` as it was, where Python raises (the folded value holds what
// looks like an embedded header).
bool AppendAsciiFolded(std::string& out, std::string_view value, size_t headerlen);

// Every line break in `value` is followed by a space or a tab. For such an
// IsUnencodedAscii value AppendAsciiFolded never returns false: each line
// it writes after the first starts with a blank (the blanks before a part
// it moves, or a continuation line's own), so nothing looks like a header.
bool EveryBreakStartsABlankLine(std::string_view value);

// email.header._embedded_header.search(v): a line break, then a run of
// non-blanks with a colon in it.
bool HasEmbeddedHeader(std::string_view v);

}  // namespace pb::mail
