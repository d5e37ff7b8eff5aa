// Small string helpers used across modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

// ASCII-only case folding, as the protocols here need (header names, slugs,
// state names); non-ASCII bytes compare as they are.
bool EqualsNoCase(std::string_view a, std::string_view b);
bool StartsWithNoCase(std::string_view text, std::string_view prefix);
std::string LowerAscii(std::string_view s);
// Lowercase hexadecimal of n bytes, as digests and tokens are printed.
std::string HexLower(const unsigned char* p, size_t n);

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

// A whole decimal number that fits in int64 (no sign, no spaces); nullopt otherwise.
std::optional<int64_t> ParseId(std::string_view s);

// str(Person) upstream: "Name <email>", or the bare email without a name.
std::string PersonDisplay(const std::optional<std::string>& name, std::string_view email);

// "/a/b/c/" -> {"a", "b", "c"}; empty unless the path starts and ends with '/'.
std::vector<std::string_view> PathSegments(std::string_view path);

}  // namespace pb
