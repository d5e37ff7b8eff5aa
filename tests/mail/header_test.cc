// Expected values were produced by Python 3.11's email package running
// upstream Patchwork's sanitise_header/clean_header/find_headers.
#include "mail/header.h"

#include <gtest/gtest.h>

#include <string>

#include "mail/codec.h"
#include "mail/message.h"

namespace pb::mail {
namespace {

std::string Line(std::string_view name, std::string_view value) {
  return EncodeHeaderLine(name, value).value_or("<none>");
}

TEST(CleanHeader, DecodesEncodedWordsAndCollapsesSpace) {
  EXPECT_EQ(CleanHeader("=?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@example.com>"),
            "Jörg Müller <jm@example.com>");
  EXPECT_EQ(CleanHeader("Re: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_bar?="), "Re: café bar");
  EXPECT_EQ(CleanHeader("a\n\t b   c "), "a b c");
  EXPECT_EQ(CleanHeader("=?iso-8859-1?q?Andr=E9?= <a@b.c>"), "André <a@b.c>");
}

TEST(CleanHeader, RawEightBitBytesBecomeReplacementCharacters) {
  EXPECT_EQ(CleanHeader("Rafa\xC5\x82 <r@x.org>"), "Rafa\uFFFD\uFFFD <r@x.org>");
}

TEST(CleanHeader, UnknownOrBrokenCharsetsFallBackToUnknown8bit) {
  EXPECT_EQ(CleanHeader("=?unknown?q?abc?="), "abc");
  EXPECT_EQ(CleanHeader("=?utf-8?q?=FF?= x"), "\uFFFD x");
}

TEST(CleanHeader, BadBase64IsNone) { EXPECT_FALSE(CleanHeader("=?utf-8?b?Q?=").has_value()); }

TEST(EncodeHeaderLine, ShortAsciiIsUnchanged) {
  EXPECT_EQ(Line("Subject", "[PATCH] foo"), "Subject: [PATCH] foo");
  EXPECT_EQ(Line("Subject", ""), "Subject: ");
  EXPECT_EQ(Line("Received", "from a\n\tby b"), "Received: from a\n\tby b");
}

TEST(EncodeHeaderLine, NonAsciiIsReencodedShortestOfBAndQ) {
  EXPECT_EQ(Line("From", "=?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@example.com>"),
            "From: =?utf-8?b?SsO2cmcgTcO8bGxlcg==?= <jm@example.com>");
  EXPECT_EQ(Line("Subject", "Re: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_bar?="),
            "Subject: Re: =?utf-8?b?Y2Fmw6kgYmFy?=");
  EXPECT_EQ(Line("From", "=?iso-8859-1?q?Andr=E9?= <a@b.c>"), "From: =?iso-8859-1?q?Andr=E9?= <a@b.c>");
  EXPECT_EQ(Line("Subject", "=?unknown?q?abc?="), "Subject: =?unknown-8bit?q?abc?=");
  EXPECT_EQ(Line("Subject", "=?utf-8?q?=FF?= x"), "Subject: =?unknown-8bit?q?=FF__x?=");
  EXPECT_EQ(Line("From", "Rafa\xC5\x82 <r@x.org>"), "From: =?unknown-8bit?b?UmFmYcWCIDxyQHgub3JnPg==?=");
}

TEST(EncodeHeaderLine, LongAsciiIsRefolded) {
  std::string x(100, 'x');
  EXPECT_EQ(Line("Subject", x + " yyyyyyyyyy"), "Subject: \n " + x + "\n yyyyyyyyyy");
  std::string commas;
  for (int i = 0; i < 40; ++i) commas += "a, ";
  std::string want = "Subject: ";
  for (int i = 0; i < 23; ++i) want += i ? " a," : "a,";
  want += "\n";
  for (int i = 0; i < 17; ++i) want += " a,";
  want += " ";
  EXPECT_EQ(Line("Subject", commas), want);
}

TEST(EncodeHeaderLine, ALongSingleTokenMovesToALineOfItsOwn) {
  std::string id = "<" + std::string(70, 'm') + "@example.org>";
  EXPECT_EQ(Line("Message-ID", id), "Message-ID: \n " + id);
  EXPECT_EQ(Line("Return-Path", "<linuxppc-dev-bounces+lists+linuxppc-dev=lfdr.de@lists.ozlabs.org>"),
            "Return-Path: \n <linuxppc-dev-bounces+lists+linuxppc-dev=lfdr.de@lists.ozlabs.org>");
  std::string fits(78 - 4, 'x');  // "To: " + 74 columns: no fold
  EXPECT_EQ(Line("To", fits), "To: " + fits);
  EXPECT_EQ(Line("To", fits + "y"), "To: \n " + fits + "y");
}

// AppendHeaderLine's shortcut for a long single token against the whole
// algorithm (SanitiseHeader, then PyHeader::Encode) on random values near
// and across the line's end: tokens of printable ASCII, some with a blank,
// a tab, a fold, "=?", a non-ASCII byte or an encoded word that the
// shortcut must leave to the algorithm.
TEST(EncodeHeaderLine, LongSingleTokenShortcutMatchesTheFullAlgorithm) {
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const std::string names[] = {"To", "Message-ID", "Return-Path", "X-Google-SMTP-Source",
                               "In-Reply-To", "X-Microsoft-Antispam-Message-Info"};
  const std::string odd[] = {" ", "\t", "\n ", "=?", "=?utf-8?q?x?=", "\xC3\xA9", "?=", "="};
  for (int i = 0; i < 20000; ++i) {
    const std::string& name = names[next() % std::size(names)];
    size_t len = 40 + next() % 140;
    std::string v;
    for (size_t k = 0; k < len; ++k) v += static_cast<char>(0x21 + next() % 94);
    if (next() % 4 == 0) v.insert(next() % (v.size() + 1), odd[next() % std::size(odd)]);
    std::string fast;
    bool kept = AppendHeaderLine(fast, name, v);
    std::optional<std::string> full;
    if (auto h = SanitiseHeader(v, name)) {
      if (auto enc = h->Encode()) full = name + ": " + *enc;
    }
    ASSERT_EQ(kept, full.has_value()) << name << ": " << v;
    if (kept) {
      ASSERT_EQ(fast, *full) << name << ": " << v;
    }
  }
}

// Expected values from Python 3.11: make_header(decode_header(v),
// header_name=name, continuation_ws='\t').encode().
TEST(EncodeHeaderLine, OneSpaceEndingALineOfSeveralIsDropped) {
  EXPECT_EQ(Line("X-Test", "a b \n c"), "X-Test: a b\n c");
  EXPECT_EQ(Line("X-Test", "a b\n c "), "X-Test: a b\n c");
  EXPECT_EQ(Line("X-Test", "a b  \n c"), "X-Test: a b  \n c");
  EXPECT_EQ(Line("X-Test", "a b\t\n c"), "X-Test: a b\t\n c");
  EXPECT_EQ(Line("X-Test", "a b \t\n c"), "X-Test: a b \t\n c");
  EXPECT_EQ(Line("X-Test", "a  "), "X-Test: a  ");
  EXPECT_EQ(Line("X-Test", "a \t"), "X-Test: a \t");
  EXPECT_EQ(Line("X-Test", "a \n c \n d "), "X-Test: a\n c\n d");
  EXPECT_EQ(Line("X-Test", "x;\n\ty \n\tz"), "X-Test: x;\n\ty\n\tz");
}

// AppendHeaderLine's shortcut for lines that end in blanks against the
// whole algorithm, on random values of one to four lines near the line
// length, with blank runs anywhere and sometimes a byte or an "=?" that
// must send the value to the algorithm.
TEST(EncodeHeaderLine, BlankEndedShortcutMatchesTheFullAlgorithm) {
  uint64_t seed = 777;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const std::string names[] = {"To", "Received", "X-Received", "Authentication-Results", "X"};
  const std::string pieces[] = {"a", "bc", "def;", "x=y", "(z)", "<m@x>", ",", " ", "  ", "\t", " \t",
                                "=?", "?", "=", "\x7F", "\xC3\xA9"};
  for (int i = 0; i < 40000; ++i) {
    const std::string& name = names[next() % std::size(names)];
    int lines = 1 + static_cast<int>(next() % 4);
    std::string v;
    for (int l = 0; l < lines; ++l) {
      if (l > 0) v += next() % 3 ? "\n " : (next() % 2 ? "\n\t" : "\n");
      size_t want = next() % 80;
      std::string line;
      while (line.size() < want) {
        // The odd pieces (a byte, "=?") seldom.
        size_t k = next() % std::size(pieces);
        if (k >= std::size(pieces) - 5 && next() % 8) k = next() % 3;
        line += pieces[k];
      }
      const char* ends[] = {"", " ", "  ", "\t", " \t", "\t "};
      line += ends[next() % std::size(ends)];
      v += line;
    }
    std::string fast;
    bool kept = AppendHeaderLine(fast, name, v);
    std::optional<std::string> full;
    if (auto h = SanitiseHeader(v, name)) {
      if (auto enc = h->Encode()) full = name + ": " + *enc;
    }
    ASSERT_EQ(kept, full.has_value()) << name << ": [" << v << "]";
    if (kept) {
      ASSERT_EQ(fast, *full) << name << ": [" << v << "]";
    }
  }
}

TEST(Codec, PythonNamesAndStrictDecoding) {
  EXPECT_EQ(LookupCodec("UTF8"), "utf-8");
  EXPECT_EQ(LookupCodec("latin-1"), "iso8859-1");
  EXPECT_EQ(LookupCodec("windows-1252"), "cp1252");
  EXPECT_EQ(LookupCodec("us-ascii"), "ascii");
  EXPECT_FALSE(LookupCodec("x-unknown").has_value());
  EXPECT_FALSE(LookupCodec("unknown-8bit").has_value());
  EXPECT_FALSE(DecodeBytes("caf\xE9", "utf-8").has_value());
  EXPECT_EQ(DecodeBytes("caf\xE9", "cp1252"), "café");
  EXPECT_FALSE(DecodeBytes("\x81", "cp1252").has_value());
  EXPECT_FALSE(DecodeBytes("caf\xE9", "ascii").has_value());
  EXPECT_EQ(DecodeBytes("\xC4\xE5\xED\xFC", "koi8-r"), "дЕМЭ");
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // an encoded surrogate
}

TEST(TransferDecoding, QuotedPrintableLikeBinasciiA2bQp) {
  EXPECT_EQ(DecodeQuotedPrintable("a=3Db=\nc=\r\nd"), "a=bcd");
  EXPECT_EQ(DecodeQuotedPrintable("x=zz=4"), "x=zz=4");
  EXPECT_EQ(DecodeQuotedPrintable("end="), "end");
  EXPECT_EQ(DecodeQuotedPrintable("a==b"), "a=b");
}

TEST(TransferDecoding, Base64LikeDecodeB) {
  EXPECT_EQ(DecodeBase64Body("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64Body("aGVsbG8"), "hello");       // padding repaired
  EXPECT_EQ(DecodeBase64Body("aGV*sbG8="), "hello");     // junk skipped
  EXPECT_EQ(DecodeBase64Body("a"), "a");                 // undecodable: returned as is
}

}  // namespace
}  // namespace pb::mail
