#include "api/headers_dict.h"

#include <gtest/gtest.h>

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
