#include "mail/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pb::mail {

char32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len == 1 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += len;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool IsPySpace(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool IsPyLineBreak(char32_t cp) {
  return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || (cp >= 0x1C && cp <= 0x1E) ||
         cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

bool IsPyWord(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_';
  }
  if (cp <= 0xFF) {
    return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
           (cp >= 0xBC && cp <= 0xBE) || (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7);
  }
  if (IsPySpace(cp)) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE6F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp >= 0xFFF0 && cp <= 0xFFFF) return false;  // specials, U+FFFD
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  return true;
}

namespace {

// Length of the code point ending right before `end` (valid UTF-8 assumed).
size_t PrevLen(std::string_view s, size_t end) {
  size_t k = end - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80 && end - k < 4) --k;
  return end - k;
}

}  // namespace

std::string_view PyLStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (!IsPySpace(NextCodePoint(s, j))) break;
    i = j;
  }
  return s.substr(i);
}

std::string_view PyRStrip(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    size_t len = PrevLen(s, end);
    size_t j = end - len;
    if (!IsPySpace(NextCodePoint(s, j))) break;
    end -= len;
  }
  return s.substr(0, end);
}

std::string_view PyStrip(std::string_view s) { return PyRStrip(PyLStrip(s)); }

namespace {

bool IsAsciiPySpace(unsigned char c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
}

// The end of the run of ASCII non-space bytes that starts at `i`: the first
// byte from `i` on that is a space or not ASCII (s.size() if none). Every
// header value of every mail goes through NormaliseSpace, and most bytes are
// inside such runs: 16 bytes are looked at together, and only those at or
// below ' ' or at or above 0x80 (a signed compare catches both) one by one.
size_t AsciiRunEnd(std::string_view s, size_t i) {
  const char* p = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  const __m128i above_space = _mm_set1_epi8(0x21);
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto candidates = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(x, above_space)));
    while (candidates) {
      size_t k = i + static_cast<size_t>(__builtin_ctz(candidates));
      auto d = static_cast<unsigned char>(p[k]);
      if (d >= 0x80 || IsAsciiPySpace(d)) return k;
      candidates &= candidates - 1;
    }
  }
#endif
  for (; i < n; ++i) {
    auto d = static_cast<unsigned char>(p[i]);
    if (d >= 0x80 || IsAsciiPySpace(d)) return i;
  }
  return n;
}

}  // namespace

std::string NormaliseSpace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (IsAsciiPySpace(c)) {
        pending = true;
        ++i;
        continue;
      }
      // A run of ASCII non-space bytes is copied whole.
      size_t end = AsciiRunEnd(s, i + 1);
      if (pending && !out.empty()) out += ' ';
      pending = false;
      out.append(s.data() + i, end - i);
      i = end;
      continue;
    }
    size_t start = i;
    char32_t cp = NextCodePoint(s, i);
    if (IsPySpace(cp)) {
      pending = true;
    } else {
      if (pending && !out.empty()) out += ' ';
      pending = false;
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

std::vector<std::string_view> PySplitLines(std::string_view s, bool unicode) {
  std::vector<std::string_view> lines;
  size_t start = 0, i = 0;
  while (i < s.size()) {
    size_t at = i;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {  // printable ASCII: never a line break
      ++i;
      continue;
    }
    char32_t cp;
    if (c < 0x80 || !unicode) {
      cp = c;
      ++i;
      if (!unicode && c >= 0x80) continue;
    } else {
      cp = NextCodePoint(s, i);
    }
    if (!IsPyLineBreak(cp)) continue;
    lines.push_back(s.substr(start, at - start));
    if (cp == '\r' && i < s.size() && s[i] == '\n') ++i;
    start = i;
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

size_t PyLen(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = AsciiLower(c);
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

std::string ReplaceHighBytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += "\xEF\xBF\xBD";
    }
  }
  return out;
}

}  // namespace pb::mail
