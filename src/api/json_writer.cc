#include "api/json_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// Bit mask with the top bit of each byte of `v` set where that byte may need
// escaping: below 0x20, '"', '\\' or 0x80 and above. Later bytes may be
// flagged spuriously (borrows), but the lowest flagged byte is exact.
inline uint64_t AttentionMask(uint64_t v) {
  constexpr uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
  auto zero_byte = [&](uint64_t x) { return (x - k01) & ~x & k80; };
  uint64_t below_space = (v - k01 * 0x20) & ~v & k80;
  return below_space | zero_byte(v ^ (k01 * '"')) | zero_byte(v ^ (k01 * '\\')) | (v & k80);
}

// Index of the first byte at or after i that is not copied verbatim (n when
// none). Bodies are mostly long runs of plain ASCII (diffs, headers), with
// an escape every few dozen bytes: 16 bytes per step with SSE2 (part of
// every x86-64), 8 with plain integer arithmetic elsewhere.
inline size_t FindAttention(const unsigned char* d, size_t i, size_t n) {
#ifdef __SSE2__
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" flags them too.
    __m128i m = _mm_or_si128(_mm_cmplt_epi8(v, space),
                             _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (int bits = _mm_movemask_epi8(m)) return i + static_cast<size_t>(__builtin_ctz(bits));
  }
  if (i < n) {
    // The tail (most keys, names and URLs are all tail): checked in one
    // step from a padded copy, ignoring the padding's flags.
    alignas(16) unsigned char tail[16] = {};
    std::memcpy(tail, d + i, n - i);
    __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
    __m128i m = _mm_or_si128(_mm_cmplt_epi8(v, space),
                             _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    int bits = _mm_movemask_epi8(m) & ((1 << (n - i)) - 1);
    return bits ? i + static_cast<size_t>(__builtin_ctz(bits)) : n;
  }
#endif
  for (uint64_t v; i + 8 <= n; i += 8) {
    std::memcpy(&v, d + i, 8);
    if (uint64_t m = AttentionMask(v)) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
  }
  while (i < n && kSafe.safe[d[i]]) ++i;
  return i;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  // Written through a raw pointer into room made up front (text plus an
  // eighth for escapes) and trimmed at the end: appending piecewise to the
  // string cost a capacity check and a call per escape, and diffs have an
  // escape ('\n') every few dozen bytes.
  const size_t n = s.size();
  const unsigned char* data = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = FindAttention(data, 0, n);
  if (i == n) {  // nothing to escape: most keys, URLs, names
    out.reserve(out.size() + n + 2);
    out += '"';
    out.append(s);
    out += '"';
    return;
  }
  size_t pos = out.size();
  size_t cap = pos + n + n / 8 + 16;
  out.resize(cap);
  char* p = out.data();
  // Room for `need` more bytes at pos.
  auto ensure = [&](size_t need) {
    if (pos + need <= cap) return;
    cap = std::max(cap + cap / 2, pos + need + 64);
    out.resize(cap);
    p = out.data();
  };
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  // Copies the pending run and makes room for one escape after it.
  auto flush = [&] {
    size_t len = i - run;
    ensure(len + 8);
    std::memcpy(p + pos, data + run, len);
    pos += len;
  };
  auto put = [&](std::string_view esc) {
    std::memcpy(p + pos, esc.data(), esc.size());
    pos += esc.size();
  };
  p[pos++] = '"';
  while (i < n) {
    i = FindAttention(data, i, n);
    if (i == n) break;
    unsigned char c = data[i];
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 3 && c == 0xE2 && data[i + 1] == 0x80 && (data[i + 2] == 0xA8 || data[i + 2] == 0xA9)) {
        flush();
        put(data[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
        i += 3;
        run = i;
        continue;
      }
      if (len) {
        i += len;
        continue;
      }
      flush();
      put(kReplacement);
      ++i;
      run = i;
      continue;
    }
    flush();
    switch (c) {
      case '"': put("\\\""); break;
      case '\\': put("\\\\"); break;
      case '\n': put("\\n"); break;
      case '\r': put("\\r"); break;
      case '\t': put("\\t"); break;
      case '\b': put("\\b"); break;
      case '\f': put("\\f"); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        put(std::string_view(u, 6));
      }
    }
    ++i;
    run = i;
  }
  flush();
  p[pos++] = '"';
  out.resize(pos);
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
