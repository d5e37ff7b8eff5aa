#include "web/account.h"

#include <gtest/gtest.h>

namespace pb::web {
namespace {

TEST(SafeRedirect, OnlyThisSite) {
  EXPECT_TRUE(IsSafeRedirect("/project/p/list/", "h:1"));
  EXPECT_TRUE(IsSafeRedirect("  /user/  ", "h:1"));
  EXPECT_TRUE(IsSafeRedirect("http://h:1/user/", "h:1"));
  EXPECT_TRUE(IsSafeRedirect("https://h:1/user/", "h:1"));
  EXPECT_TRUE(IsSafeRedirect("relative/path", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("//evil.example/", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("///evil.example/", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("/\\evil.example/", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("http://evil.example/", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("http:///evil.example/", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("javascript:alert(1)", "h:1"));
  EXPECT_FALSE(IsSafeRedirect("\x01/evil", "h:1"));
}

}  // namespace
}  // namespace pb::web
