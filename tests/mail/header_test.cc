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
