#include "mail/plain_header.h"

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#include <sys/platform/x86.h>
#elif defined(__SSE2__)
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

// Where the scan is: the line it is in and that line's column limit.
struct Lines {
  std::string_view v;
  size_t line_start = 0;
  size_t limit;
  bool End(size_t at) {
    if (!LineIsPlain(v, line_start, at, limit)) return false;
    limit = kMaxHeaderLineLen;
    line_start = at + 1;
    return true;
  }
};

#if defined(__x86_64__)
// 32 bytes at a time where the CPU has AVX2 (the build targets baseline
// x86-64): the same masks as the 16-byte loop below, half the steps; most
// header values are 40 to 200 bytes. Advances `i` over the whole blocks it
// judged; false when one is not plain.
__attribute__((target("avx2"))) bool Blocks32(const char* p, size_t n, size_t& i, bool& prev_eq,
                                              Lines& lines) {
  const __m256i below = _mm256_set1_epi8(0x1F), above = _mm256_set1_epi8(0x7F);
  const __m256i tab = _mm256_set1_epi8('\t'), nl = _mm256_set1_epi8('\n');
  const __m256i eq = _mm256_set1_epi8('='), q = _mm256_set1_epi8('?');
  for (; i + 32 <= n; i += 32) {
    __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    // Signed compares: bytes >= 0x80 are negative, so not above 0x1F.
    __m256i printable = _mm256_and_si256(_mm256_cmpgt_epi8(x, below), _mm256_cmpgt_epi8(above, x));
    auto breaks = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, nl)));
    auto ok = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(printable, _mm256_cmpeq_epi8(x, tab))));
    if ((ok | breaks) != 0xFFFFFFFFu) return false;
    auto eqs = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, eq)));
    auto qs = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, q)));
    if (((eqs << 1) | (prev_eq ? 1u : 0u)) & qs) return false;
    prev_eq = (eqs >> 31) & 1;
    while (breaks) {
      if (!lines.End(i + static_cast<size_t>(__builtin_ctz(breaks)))) return false;
      breaks &= breaks - 1;
    }
  }
  return true;
}

// From what glibc found at start-up, asked at the first header: GCC's
// __builtin_cpu_supports would link libgcc's CPU probe, a constructor that
// runs cpuid (trapped, so slow, on this kind of VM) in every process, and a
// namespace-scope flag would bind glibc's symbol in every process too;
// `patchbay help` does neither.
bool HasAvx2() {
  static const bool has = CPU_FEATURE_ACTIVE(AVX2);
  return has;
}
#endif

}  // namespace

bool IsPlainShortHeader(std::string_view v, size_t headerlen) {
  const size_t n = v.size();
  const char* p = v.data();
  Lines lines{v, 0, kMaxHeaderLineLen - headerlen};
  size_t i = 0;
  bool prev_eq = false;  // the byte before i is '='
#if defined(__x86_64__)
  if (n >= 32 && HasAvx2() && !Blocks32(p, n, i, prev_eq, lines)) return false;
#endif
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
      if (!lines.End(i + static_cast<size_t>(__builtin_ctz(breaks)))) return false;
      breaks &= breaks - 1;
    }
  }
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '\n') {
      if (!lines.End(i)) return false;
    } else if (!IsPlainByte(c) || (c == '?' && prev_eq)) {
      return false;
    }
    prev_eq = c == '=';
  }
  return lines.End(n);
}

}  // namespace pb::mail
