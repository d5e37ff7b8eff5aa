#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace pb::api {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Expected values are what DRF's JSONRenderer (json.dumps with
// ensure_ascii=False, then U+2028/2029 escaped) produces.
TEST(JsonWriter, EscapesLikePython) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
  EXPECT_EQ(Json("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Json(std::string("\x01\x1f\x00", 3)), "\"\\u0001\\u001f\\u0000\"");
  EXPECT_EQ(Json("\x7f"), "\"\x7f\"");  // DEL is not escaped by Python
}

TEST(JsonWriter, KeepsUtf8RawButEscapesLineSeparators) {
  EXPECT_EQ(Json("Rafał Miłecki"), "\"Rafał Miłecki\"");
  EXPECT_EQ(Json("😀"), "\"😀\"");
  EXPECT_EQ(Json("a\u2028b\u2029c"), "\"a\\u2028b\\u2029c\"");
}

TEST(JsonWriter, ReplacesInvalidUtf8) {
  EXPECT_EQ(Json("a\xff" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(Json("\xC3"), "\"\xEF\xBF\xBD\"");          // truncated sequence
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(SanitizeUtf8("ok\xC0\xAF"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
}

TEST(JsonWriter, CompactStructure) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.BeginArray();
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Key("c");
  w.OptString(std::nullopt);
  w.Key("d");
  w.Raw("{\"x\":1}");
  w.EndObject();
  EXPECT_EQ(out, "{\"a\":1,\"b\":[true,null,{}],\"c\":null,\"d\":{\"x\":1}}");
}

}  // namespace
}  // namespace pb::api

namespace pb::api {
namespace {

// The word-at-a-time skip must not change a byte: compare with a plain
// byte-by-byte escaper on strings with escapes at every alignment.
std::string ReferenceEscape(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

TEST(JsonString, WordSkipMatchesByteByByteEscaping) {
  const std::string specials = std::string("\"\\\n\r\t\b\f\x01\x1f ~\x7f", 13);
  for (size_t len = 0; len < 40; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (char sp : specials) {
        std::string s(len, 'a');
        s[pos] = sp;
        std::string got;
        AppendJsonString(got, s);
        ASSERT_EQ(got, ReferenceEscape(s)) << "len " << len << " pos " << pos << " char " << int(sp);
      }
    }
  }
  // Dense escapes outgrow the room reserved up front (6 bytes out per byte
  // in); appending to a non-empty string must keep what was there.
  for (size_t len : {1, 15, 16, 17, 1000, 70000}) {
    std::string s(len, '\x01');
    std::string got = "prefix";
    AppendJsonString(got, s);
    ASSERT_EQ(got, "prefix" + ReferenceEscape(s)) << "len " << len;
  }
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string s(seed % 300, ' ');
    for (char& c : s) {
      seed = seed * 1103515245 + 12345;
      c = static_cast<char>((seed >> 16) % 128);
    }
    std::string got;
    AppendJsonString(got, s);
    ASSERT_EQ(got, ReferenceEscape(s)) << "round " << round;
  }
  std::string utf8 = "diff --git a/x b/x\n+Grüße \xE2\x80\xA8 end";
  std::string got;
  AppendJsonString(got, utf8);
  EXPECT_EQ(got, "\"diff --git a/x b/x\\n+Grüße \\u2028 end\"");
}

}  // namespace
}  // namespace pb::api
