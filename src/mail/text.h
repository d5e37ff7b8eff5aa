// Python str semantics on UTF-8 text. Upstream's parser works on Python
// strings, so whitespace, line breaks and "word characters" must mean what
// they mean to Python (str.isspace, str.splitlines, re's \s and \w), not
// what they mean to the C locale.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pb::mail {

// Decodes the code point at s[i] and advances i. Invalid UTF-8 yields one
// byte as U+FFFD-like value 0xFFFD (callers only ever see valid text).
char32_t NextCodePoint(std::string_view s, size_t& i);
void AppendUtf8(std::string& out, char32_t cp);

// str.isspace() / re \s for a single code point.
bool IsPySpace(char32_t cp);
// re \w (Unicode): letters, digits, underscore. Approximate outside Latin-1:
// every code point above U+00FF that is not punctuation or space counts.
bool IsPyWord(char32_t cp);
// A str.splitlines() boundary (\n \r \v \f \x1c-\x1e \x85 U+2028 U+2029).
bool IsPyLineBreak(char32_t cp);

// str.strip() / lstrip() / rstrip() with no arguments.
std::string_view PyStrip(std::string_view s);
std::string_view PyLStrip(std::string_view s);
std::string_view PyRStrip(std::string_view s);

// re.sub(r'\s+', ' ', s).strip()  (parser.normalise_space)
std::string NormaliseSpace(std::string_view s);

// str.splitlines() without keepends. `unicode` false restricts the line
// breaks to ASCII ones (for strings that stand for raw bytes).
std::vector<std::string_view> PySplitLines(std::string_view s, bool unicode = true);

// Number of code points.
size_t PyLen(std::string_view s);

inline bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string AsciiLowerCopy(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);       // ASCII case-insensitive
bool IStartsWith(std::string_view s, std::string_view prefix);

// Each byte >= 0x80 becomes U+FFFD: what Python shows for bytes it carried
// as surrogate escapes and then decoded with errors='replace'.
std::string ReplaceHighBytes(std::string_view bytes);

}  // namespace pb::mail
