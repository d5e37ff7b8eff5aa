#include "api/headers_dict.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pb::api {
namespace {

TEST(HeadersDict, KeepsFoldingAndGroupsDuplicates) {
  std::string text =
      "Message-Id: \n <abc@x>\n"
      "Received: from a\n\tby b\n"
      "Subject: [PATCH] x\n"
      "Received: from c\n"
      "X-Empty: \n"
      "X-Mailer: Evolution 2.30.3 ";
  auto d = HeadersDict(text);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].name, "Message-Id");
  EXPECT_EQ(d[0].values, std::vector<std::string>{"\n <abc@x>"});
  EXPECT_EQ(d[1].name, "Received");
  EXPECT_EQ(d[1].values, (std::vector<std::string>{"from a\n\tby b", "from c"}));
  EXPECT_EQ(d[3].values, std::vector<std::string>{""});
  EXPECT_EQ(d[4].values, std::vector<std::string>{"Evolution 2.30.3 "});
}

TEST(HeadersDict, DifferentlyCasedNamesShareValues) {
  auto d = HeadersDict("To: a\nto: b");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "To");
  EXPECT_EQ(d[1].name, "to");
  EXPECT_EQ(d[0].values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d[1].values, d[0].values);
}

TEST(HeadersDict, StopsWhereEmailParserStops) {
  // A line that is not a header ends the header block.
  auto d = HeadersDict("A: 1\nnot a header\nB: 2");
  ASSERT_EQ(d.size(), 1u);
  // Leading continuation lines and ":x" lines are skipped; a unix-from line is not a header.
  d = HeadersDict(" cont\nFrom someone\n:bad\nC: 3\nD:4\r\nE:\t5");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].values[0], "3");
  EXPECT_EQ(d[1].values[0], "4");
  EXPECT_EQ(d[2].values[0], "5");
  EXPECT_TRUE(HeadersDict("").empty());
}

}  // namespace
}  // namespace pb::api

namespace pb::api {
namespace {

// 100,000 distinct header names made each patch detail take 28 s when the
// grouping compared every name with every earlier one.
TEST(HeadersDict, LinearInTheNumberOfNames) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "X-Name-" + std::to_string(i) + ": v\n";
  text += "x-name-7: again\n";
  std::string lone_cr;  // lines ended by a lone '\r' are no slower
  for (int i = 0; i < 100000; ++i) lone_cr += "Y-" + std::to_string(i) + ": v\r";
  // ~0.2 s on an idle core; the quadratic grouping needed minutes, which
  // the test timeout catches. No clock here: on a loaded machine a time
  // limit failed the linear code too (15.7 s at load 23).
  auto dict = HeadersDict(text);
  auto cr = HeadersDict(lone_cr);
  ASSERT_EQ(dict.size(), 100001u);
  EXPECT_EQ(dict[7].values, (std::vector<std::string>{"v", "again"}));
  EXPECT_EQ(dict.back().name, "x-name-7");
  EXPECT_EQ(dict.back().values, dict[7].values);
  EXPECT_EQ(cr.size(), 100000u);
}

}  // namespace
}  // namespace pb::api
