#include "mail/plain_header.h"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pb::mail {
namespace {

// The rules on one line, v[start, end).
bool LineIsPlain(std::string_view v, size_t start, size_t end, size_t limit) {
  size_t len = end - start;
  if (len > limit) return false;
  if (len > 0 && (v[end - 1] == ' ' || v[end - 1] == '\t')) return false;
  if (start > 0) {
    if (len == 0 || (v[start] != ' ' && v[start] != '\t')) return false;
    size_t k = start;
    while (k < end && (v[k] == ' ' || v[k] == '\t')) ++k;
    if (k == end) return false;
  }
  return true;
}

bool IsPlainByte(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }

}  // namespace

bool IsPlainShortHeader(std::string_view v, size_t headerlen) {
  const size_t n = v.size();
  const char* p = v.data();
  size_t line_start = 0;
  size_t limit = kMaxHeaderLineLen - headerlen;
  auto end_line = [&](size_t at) {
    if (!LineIsPlain(v, line_start, at, limit)) return false;
    limit = kMaxHeaderLineLen;
    line_start = at + 1;
    return true;
  };
  size_t i = 0;
  bool prev_eq = false;  // the byte before i is '='
#if defined(__SSE2__)
  // 16 bytes at a time: one mask of bytes outside printable ASCII and tab
  // (line breaks aside), one of "=?" pairs, the line breaks one by one.
  const __m128i below = _mm_set1_epi8(0x1F), above = _mm_set1_epi8(0x7F);
  const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
  const __m128i eq = _mm_set1_epi8('='), q = _mm_set1_epi8('?');
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compares: bytes >= 0x80 are negative, so not above 0x1F.
    __m128i printable = _mm_and_si128(_mm_cmpgt_epi8(x, below), _mm_cmplt_epi8(x, above));
    unsigned breaks = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, nl)));
    unsigned ok = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(printable, _mm_cmpeq_epi8(x, tab))));
    if ((ok | breaks) != 0xFFFF) return false;
    unsigned eqs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, eq)));
    unsigned qs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, q)));
    if (((eqs << 1) | (prev_eq ? 1u : 0u)) & qs) return false;
    prev_eq = (eqs >> 15) & 1;
    while (breaks) {
      if (!end_line(i + static_cast<size_t>(__builtin_ctz(breaks)))) return false;
      breaks &= breaks - 1;
    }
  }
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '\n') {
      if (!end_line(i)) return false;
    } else if (!IsPlainByte(c) || (c == '?' && prev_eq)) {
      return false;
    }
    prev_eq = c == '=';
  }
  return end_line(n);
}

}  // namespace pb::mail
