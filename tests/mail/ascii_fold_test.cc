// The ASCII fold (mail/ascii_fold.h), which AppendHeaderLine and
// CleanHeader take for unencoded ASCII values, against the general
// algorithm (SanitiseHeader, then PyHeader::Encode / ToString), whose
// expected values come from Python 3.11.
#include "mail/ascii_fold.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "mail/header.h"
#include "mail/text.h"

namespace pb::mail {
namespace {

std::string Line(std::string_view name, std::string_view value) {
  return EncodeHeaderLine(name, value).value_or("<none>");
}

// Expected values from Python 3.11: make_header(decode_header(v),
// header_name=name, continuation_ws='\t').encode().
TEST(AsciiFold, AddressListsAndReceivedLines) {
  EXPECT_EQ(Line("Cc", "Alice Example <alice@example.org>, linuxppc-dev@lists.ozlabs.org,\n"
                       " linux-stm32@st-md-mailman.stormreply.com, linux-arm-kernel@lists.infradead.org,\n"
                       " Bob <bob@example.org>"),
            "Cc: Alice Example <alice@example.org>, linuxppc-dev@lists.ozlabs.org,\n"
            " linux-stm32@st-md-mailman.stormreply.com,\n"
            " linux-arm-kernel@lists.infradead.org,\n"
            " Bob <bob@example.org>");
  EXPECT_EQ(Line("Received", "from ozlabs.org (bilbo.ozlabs.org [203.11.71.1])\n"
                             " (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
                             " key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
                             " (No client certificate requested)"),
            "Received: from ozlabs.org (bilbo.ozlabs.org [203.11.71.1])\n"
            " (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
            " key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest\n"
            " SHA256)\n"
            " (No client certificate requested)");
  EXPECT_EQ(Line("X", "a\nb: c"), "<none>");  // an embedded header: Python raises
}

// Random unencoded ASCII values of one to five lines, of words, address
// pieces, ';' and ',' runs, blank runs, colons, long tokens and lines with
// no blank in front (so the embedded-header check fires at times), under
// names short and long (a name's line of more than 78 columns too).
TEST(AsciiFold, MatchesTheGeneralAlgorithm) {
  uint64_t seed = 4242;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const std::string names[] = {"To", "Cc", "Received", "X-Received", "DKIM-Signature", "X",
                               std::string(70, 'N'), std::string(90, 'L')};
  const std::string pieces[] = {"a", "bc", "def;", "x=y", "(z)", "<m@x.org>", ",", ";", " ", "  ",
                                "\t", " \t", ":", "a:", "Name <name@example.org>,",
                                std::string(60, 't'), std::string(85, 'u') + ",", "=", "?"};
  int folded = 0, raised = 0;
  for (int i = 0; i < 40000; ++i) {
    const std::string& name = names[next() % std::size(names)];
    int lines = 1 + static_cast<int>(next() % 5);
    std::string v;
    for (int l = 0; l < lines; ++l) {
      if (l > 0) {
        uint32_t k = next() % 16;
        v += k < 10 ? "\n " : k < 14 ? "\n\t" : k < 15 ? "\n  " : "\n";
      }
      size_t want = next() % 130;
      while (v.size() < want + l * 130) v += pieces[next() % std::size(pieces)];
    }
    if (next() % 16 == 0) v += "\n";
    if (!IsUnencodedAscii(v)) continue;  // "=" then "?": left to the general path
    std::string fast;
    bool kept = AppendHeaderLine(fast, name, v);
    std::optional<std::string> full;
    if (auto h = SanitiseHeader(v, name)) {
      if (auto enc = h->Encode()) full = name + ": " + *enc;
    }
    ASSERT_EQ(kept, full.has_value()) << name << ": [" << v << "]";
    if (EveryBreakStartsABlankLine(v)) {
      ASSERT_TRUE(kept) << name << ": [" << v << "]";
    }
    if (kept) {
      ASSERT_EQ(fast, *full) << name << ": [" << v << "]";
      folded += fast.find('\n') != std::string::npos;
    } else {
      ++raised;
    }
    std::optional<std::string> clean;
    if (auto h = SanitiseHeader(v)) clean = NormaliseSpace(h->ToString());
    ASSERT_EQ(CleanHeader(v), clean) << "[" << v << "]";
  }
  // The values reach both outcomes and the folding itself.
  EXPECT_GT(folded, 10000);
  EXPECT_GT(raised, 100);
}

TEST(AsciiFold, TellsBreaksThatStartBlankLines) {
  EXPECT_TRUE(EveryBreakStartsABlankLine("a,\n b;\n\tc"));
  EXPECT_TRUE(EveryBreakStartsABlankLine("abc"));
  EXPECT_FALSE(EveryBreakStartsABlankLine("a\nb"));
  EXPECT_FALSE(EveryBreakStartsABlankLine("a\n\n b"));
  EXPECT_FALSE(EveryBreakStartsABlankLine("a\n"));
}

TEST(AsciiFold, TellsUnencodedAscii) {
  EXPECT_TRUE(IsUnencodedAscii("a, b;\n\tc = ? d"));
  EXPECT_TRUE(IsUnencodedAscii(""));
  EXPECT_FALSE(IsUnencodedAscii("=?utf-8?q?x?="));
  EXPECT_FALSE(IsUnencodedAscii("caf\xC3\xA9"));
  EXPECT_FALSE(IsUnencodedAscii("a\rb"));
  EXPECT_FALSE(IsUnencodedAscii("a\x7F"));
  // Each odd byte and "=?" at every place of values long enough for the
  // 16-byte steps, across their ends.
  for (size_t at = 0; at < 47; ++at) {
    std::string v(48, 'a');
    v[at] = '\n';
    EXPECT_TRUE(IsUnencodedAscii(v)) << at;
    v[at + 1] = '\t';
    EXPECT_TRUE(IsUnencodedAscii(v)) << at;
    v[at] = '=';
    v[at + 1] = '?';
    EXPECT_FALSE(IsUnencodedAscii(v)) << at;
    v[at + 1] = 'a';
    EXPECT_TRUE(IsUnencodedAscii(v)) << at;
    for (char odd : {'\r', '\x1F', '\x7F', '\x80', '\xFF', '\0'}) {
      v[at] = odd;
      EXPECT_FALSE(IsUnencodedAscii(v)) << at << " " << static_cast<int>(odd);
    }
  }
}

}  // namespace
}  // namespace pb::mail
