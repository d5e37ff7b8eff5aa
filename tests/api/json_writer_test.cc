#include "api/json_writer.h"

#include <gtest/gtest.h>

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
