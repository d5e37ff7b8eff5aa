// The common case of a header value that Python's compat32 decoding and
// Header.encode() both hand back unchanged, told apart cheaply: every header
// of every mail is asked this question, so it is the parser's hottest loop.
#pragma once

#include <cstddef>
#include <string_view>

namespace pb::mail {

// email.header.MAXLINELEN
inline constexpr size_t kMaxHeaderLineLen = 78;

// True when `value` (a raw header value with its folds) is printable ASCII
// or tabs, holds no "=?" (no encoded word can start), every line fits in
// kMaxHeaderLineLen columns (the first after `headerlen` columns of
// "Name: "), no line ends in a blank, and every continuation line starts
// with a blank and holds something else too. Such a value decodes and
// re-encodes to itself; anything else takes the full algorithm.
bool IsPlainShortHeader(std::string_view value, size_t headerlen);

}  // namespace pb::mail
