#include "api/json_writer.h"

#include <cstdint>
#include <cstring>

namespace pb::api {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid (overlongs,
// surrogates and values above U+10FFFF are invalid, as Python decodes).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

constexpr char kHex[] = "0123456789abcdef";

// Bytes copied verbatim: printable ASCII except '"' and '\\'.
struct SafeTable {
  bool safe[256] = {};
  constexpr SafeTable() {
    for (int c = 0x20; c < 0x80; ++c) safe[c] = c != '"' && c != '\\';
  }
};
constexpr SafeTable kSafe;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// True when any of the 8 bytes may need escaping: below 0x20, '"', '\\' or
// 0x80 and above (a superset of !kSafe, so skipping words it clears is exact).
// Bodies are mostly long runs of plain ASCII (diffs, headers): checking a
// word at a time keeps the JSON encoder off the top of the profile.
inline bool WordNeedsAttention(uint64_t v) {
  constexpr uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
  auto zero_byte = [&](uint64_t x) { return (x - k01) & ~x & k80; };
  uint64_t below_space = (v - k01 * 0x20) & ~v & k80;
  return ((below_space | zero_byte(v ^ (k01 * '"')) | zero_byte(v ^ (k01 * '\\')) | (v & k80)) != 0);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  auto flush = [&] {
    out.append(s.data() + run, i - run);
  };
  const size_t n = s.size();
  const unsigned char* data = reinterpret_cast<const unsigned char*>(s.data());
  while (i < n) {
    for (uint64_t v; i + 8 <= n; i += 8) {
      std::memcpy(&v, data + i, 8);
      if (WordNeedsAttention(v)) break;
    }
    while (i < n && kSafe.safe[data[i]]) ++i;
    if (i == n) break;
    unsigned char c = data[i];
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
           static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
        flush();
        out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 3;
        run = i;
        continue;
      }
      if (len) {
        i += len;
        continue;
      }
      flush();
      out += kReplacement;
      ++i;
      run = i;
      continue;
    }
    flush();
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
    run = i;
  }
  flush();
  out += '"';
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

}  // namespace pb::api
