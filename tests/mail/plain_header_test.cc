#include "mail/plain_header.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pb::mail {
namespace {

// The rule as first written, one byte at a time: the vectorised version
// must agree with it on every input.
bool Reference(std::string_view v, size_t headerlen) {
  size_t line_start = 0;
  size_t limit = kMaxHeaderLineLen - headerlen;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i == v.size() || v[i] == '\n') {
      size_t len = i - line_start;
      if (len > limit) return false;
      if (len > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t')) return false;
      if (line_start > 0) {
        std::string_view l = v.substr(line_start, len);
        if (l.empty() || (l[0] != ' ' && l[0] != '\t')) return false;
        if (l.find_first_not_of(" \t") == std::string_view::npos) return false;
      }
      limit = kMaxHeaderLineLen;
      line_start = i + 1;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 0x7F || (c < 0x20 && c != '\t')) return false;
    if (c == '=' && i + 1 < v.size() && v[i + 1] == '?') return false;
  }
  return true;
}

TEST(IsPlainShortHeader, KnownCases) {
  EXPECT_TRUE(IsPlainShortHeader("", 0));
  EXPECT_TRUE(IsPlainShortHeader("[PATCH v2 1/3] powerpc: fix the thing", 9));
  EXPECT_TRUE(IsPlainShortHeader("a,\n\tb", 0));
  EXPECT_FALSE(IsPlainShortHeader("a,\nb", 0));          // continuation without a blank
  EXPECT_FALSE(IsPlainShortHeader("a,\n\t \t", 0));      // blank continuation
  EXPECT_FALSE(IsPlainShortHeader("trailing ", 0));
  EXPECT_FALSE(IsPlainShortHeader("caf\xc3\xa9", 0));
  EXPECT_FALSE(IsPlainShortHeader("=?utf-8?q?x?=", 0));
  EXPECT_FALSE(IsPlainShortHeader("a\r\n\tb", 0));
  EXPECT_TRUE(IsPlainShortHeader(std::string(78, 'x'), 0));
  EXPECT_FALSE(IsPlainShortHeader(std::string(79, 'x'), 0));
  EXPECT_FALSE(IsPlainShortHeader(std::string(70, 'x'), 9));
  // "=?" split across the 16-byte blocks.
  std::string s(15, 'a');
  s += "=?";
  EXPECT_FALSE(IsPlainShortHeader(s, 0));
  s[15] = '?';
  s[16] = '=';
  EXPECT_TRUE(IsPlainShortHeader(s, 0));
  // And across 32-byte blocks (the AVX2 loop), then into the 16-byte one.
  std::string t(31, 'a');
  t += "=?";
  EXPECT_FALSE(IsPlainShortHeader(t, 0));
  t = std::string(47, 'a') + "=?";
  EXPECT_FALSE(IsPlainShortHeader(t, 0));
}

TEST(IsPlainShortHeader, AgreesWithTheByteLoopOnRandomValues) {
  // Mostly plain bytes, so that long values get past the first test.
  const std::string alphabet = "abcXYZ019 ,;:<>@.\t=?\n";
  std::mt19937 rng(13);
  for (int round = 0; round < 200000; ++round) {
    size_t len = rng() % 200;
    std::string v;
    for (size_t i = 0; i < len; ++i) {
      unsigned r = rng() % 1000;
      if (r == 0) {
        v += static_cast<char>(rng() % 256);
      } else if (r < 15) {
        v += '\n';
        v += (rng() % 4) ? '\t' : 'x';
      } else {
        v += alphabet[rng() % (alphabet.size() - 1)];
      }
    }
    size_t headerlen = rng() % 30;
    ASSERT_EQ(IsPlainShortHeader(v, headerlen), Reference(v, headerlen)) << "value: " << v;
  }
}

}  // namespace
}  // namespace pb::mail
