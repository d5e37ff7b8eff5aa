// patch_get_mbox hands the patch to mbox::PatchMbox (spec §4.1); this only
// checks the wiring, the format itself is tested with the mbox module.
#include <gtest/gtest.h>

#include "mbox/mbox.h"
#include "rpc_test_util.h"
#include "test_util.h"

namespace pb::xmlrpc {
namespace {

using testing::Invoke;

TEST(PatchGetMbox, ReturnsTheMboxModulesMessage) {
  pb::testing::TempDb db;
  auto& c = db.conn();
  c.ExecScript(R"SQL(
    INSERT INTO projects (id, linkname, name, listid, listemail)
      VALUES (1, 'alpha', 'Alpha', 'alpha.example.com', 'alpha@example.com');
    INSERT INTO people (id, email, name) VALUES (1, 'foo@example.com', 'Foo Bar');
    INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, headers,
                         content, diff)
      VALUES (7, 1, '<m@example.com>', '[PATCH] foo', 1704099600000000, 1, 1,
              'From: Foo Bar <foo@example.com>
Subject: [PATCH] foo
Message-Id: <m@example.com>
Date: Mon, 01 Jan 2024 10:00:00 +0100',
              'Commit message & <things>.

Signed-off-by: Foo Bar <foo@example.com>
---
 a.txt | 1 +
',
              'diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -0,0 +1 @@
+hello
');
  )SQL");
  auto expected = mbox::PatchMbox(c, 7);
  ASSERT_TRUE(expected.has_value());
  auto r = Invoke(c, "patch_get_mbox", {Value::Int(7)});
  ASSERT_FALSE(r.fault) << r.fault_string;
  EXPECT_TRUE(r.value.is(Value::Kind::kString));
  EXPECT_EQ(r.value.s, *expected);  // escaped on the wire, identical once parsed
  EXPECT_EQ(r.value.s.rfind("From patchwork ", 0), 0u);
  EXPECT_NE(r.value.s.find("X-Patchwork-Id: 7\n"), std::string::npos);
  EXPECT_NE(r.value.s.find("+hello\n"), std::string::npos);

  auto missing = Invoke(c, "patch_get_mbox", {Value::Int(8)});
  ASSERT_FALSE(missing.fault);
  EXPECT_EQ(missing.value.s, "");
}

}  // namespace
}  // namespace pb::xmlrpc
