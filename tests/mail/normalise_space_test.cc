#include <gtest/gtest.h>

#include <random>
#include <string>

#include "mail/text.h"

namespace pb::mail {
namespace {

// Python's " ".join(s.split()) on the text, written the plain way: each code
// point is a space or not (IsPySpace), words are joined by one space.
std::string Reference(std::string_view s) {
  std::string out, word;
  size_t i = 0;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += word;
    word.clear();
  };
  while (i < s.size()) {
    size_t start = i;
    char32_t cp = NextCodePoint(s, i);
    if (IsPySpace(cp)) {
      flush();
    } else {
      word.append(s.substr(start, i - start));
    }
  }
  flush();
  return out;
}

TEST(NormaliseSpace, Examples) {
  EXPECT_EQ(NormaliseSpace("  a  b\tc\n d  "), "a b c d");
  EXPECT_EQ(NormaliseSpace("[PATCH v2 1/3] powerpc: fix\n\tthe thing"), "[PATCH v2 1/3] powerpc: fix the thing");
  EXPECT_EQ(NormaliseSpace("a\x01" "b"), "a\x01" "b");  // a control byte is no space
  EXPECT_EQ(NormaliseSpace("a\x1c" "b"), "a b");        // but 0x1C-0x1F are
  EXPECT_EQ(NormaliseSpace("caf\xc3\xa9\xc2\xa0ol\xc3\xa9"), "caf\xc3\xa9 ol\xc3\xa9");  // U+00A0
  EXPECT_EQ(NormaliseSpace(""), "");
  EXPECT_EQ(NormaliseSpace(" \t\n"), "");
}

// Runs longer and shorter than the 16 bytes looked at together, with every
// kind of byte at every offset.
TEST(NormaliseSpace, SameAsThePlainWayOnRandomText) {
  std::mt19937 rng(13);
  const std::string pieces[] = {"a", "Z", "0", "=", "?", " ", "\t", "\n", "\r", "\x0b", "\x1f", "\x01",
                                "\x7f", "\xc2\xa0", "\xe2\x80\x83", "\xc3\xa9", "\xff", "\x80",
                                "abcdefghijklmnopqrstuvwxyz", "<msgid@example.org>"};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += pieces[rng() % std::size(pieces)];
    ASSERT_EQ(NormaliseSpace(s), Reference(s)) << "input: " << s;
  }
}

}  // namespace
}  // namespace pb::mail
