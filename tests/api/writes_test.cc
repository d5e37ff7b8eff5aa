// Unit tests of the write-side building blocks: request body parsing (DRF's
// parsers), field validation messages, and the JSON re-indenter.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/drf_fields.h"
#include "api/render.h"
#include "api/request_body.h"

namespace pb::api {
namespace {

http::Request Req(std::string type, std::string body) {
  http::Request r;
  r.method = "PATCH";
  if (!type.empty()) r.headers.emplace_back("content-type", type);
  r.body = std::move(body);
  return r;
}

TEST(RequestBody, ParsersAndErrors) {
  auto json = ParseRequestBody(Req("application/json; charset=utf-8", "{\"a\": [1, 2]}"), "GET");
  ASSERT_TRUE(std::holds_alternative<RequestData>(json));
  EXPECT_EQ(std::get<RequestData>(json).Get("a")->as_array().size(), 2u);

  auto form = ParseRequestBody(Req("application/x-www-form-urlencoded", "a=1&a=2&b=x+y"), "GET");
  const auto& f = std::get<RequestData>(form);
  EXPECT_TRUE(f.is_form());
  EXPECT_EQ(f.GetList("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(f.Get("a")->as_string(), "2");  // QueryDict: the last value
  EXPECT_EQ(f.Get("b")->as_string(), "x y");

  auto mp = ParseRequestBody(
      Req("multipart/form-data; boundary=B",
          "--B\r\nContent-Disposition: form-data; name=\"s\"\r\n\r\nnew\r\n--B--\r\n"),
      "GET");
  EXPECT_EQ(std::get<RequestData>(mp).Get("s")->as_string(), "new");

  auto bad = ParseRequestBody(Req("text/plain", "x"), "GET");
  EXPECT_EQ(std::get<http::Response>(bad).status, 415);
  EXPECT_EQ(std::get<http::Response>(bad).body, "{\"detail\":\"Unsupported media type \\\"text/plain\\\" in request.\"}");
  auto untyped = ParseRequestBody(Req("", "x"), "GET");
  EXPECT_EQ(std::get<http::Response>(untyped).status, 415);
  // An empty body is empty data, whatever the type.
  auto empty = ParseRequestBody(Req("text/plain", ""), "GET");
  ASSERT_TRUE(std::holds_alternative<RequestData>(empty));
  EXPECT_FALSE(std::get<RequestData>(empty).Has("x"));
  auto broken = ParseRequestBody(Req("application/json", "{\"a\": 1} x"), "GET");
  EXPECT_EQ(std::get<http::Response>(broken).status, 400);
}

TEST(DrfFields, MessagesLikeDrf) {
  auto data = RequestData::Json(boost::json::parse(
      R"({"c": "  ", "n": null, "b": "yes", "i": "5.0", "l": "x", "pk": true, "t": 12})"));
  FieldErrors errs;
  Input in{data, false, errs};
  EXPECT_FALSE(ReadChar(in, {.name = "c"}).set);
  EXPECT_FALSE(ReadChar(in, {.name = "n"}).set);
  auto b = ReadBool(in, {.name = "b"});
  EXPECT_TRUE(b.set && *b.value);
  auto i = ReadInt(in, {.name = "i"}, 0, 10);
  EXPECT_EQ(*i.value, 5);
  auto t = ReadChar(in, {.name = "t"});
  EXPECT_EQ(*t.value, "12");  // numbers become strings
  ReadPkList(in, {.name = "l"}, [](int64_t) { return true; });
  ReadPk(in, {.name = "pk"}, [](int64_t) { return true; });
  ReadChar(in, {.name = "missing", .required = true});
  EXPECT_EQ(errs.ToJson(),
            "{\"c\":[\"This field may not be blank.\"],\"n\":[\"This field may not be null.\"],"
            "\"l\":[\"Expected a list of items but got type \\\"str\\\".\"],"
            "\"pk\":[\"Incorrect type. Expected pk value, received bool.\"],"
            "\"missing\":[\"This field is required.\"]}");
}

TEST(Render, ReindentLikePython) {
  EXPECT_EQ(Reindent(R"({"a":[1,{"b":"x,:{"}],"c":{},"d":[]})", 2),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,:{\"\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}");
}

}  // namespace
}  // namespace pb::api
