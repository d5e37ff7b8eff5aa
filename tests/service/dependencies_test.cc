#include "service/dependencies.h"

#include <gtest/gtest.h>

namespace pb::service {
namespace {

TEST(DependsOn, ParsesMsgidsAndUrls) {
  auto refs = ParseDependsOn(
      "Intro.\n"
      "Depends-on: <abc@example.com>\n"
      "depends-on: https://pw.example.org/project/p/list/?series=42  \n"
      "Depends-on: not a reference\n"
      " Depends-on: <indented@example.com>\n"
      "Depends-on: https://bad.example.org/a b\n");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_FALSE(refs[0].is_url);
  EXPECT_EQ(refs[0].value, "<abc@example.com>");
  EXPECT_TRUE(refs[1].is_url);
  EXPECT_EQ(refs[1].value, "https://pw.example.org/project/p/list/?series=42");
}

}  // namespace
}  // namespace pb::service
