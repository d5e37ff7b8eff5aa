#include <gtest/gtest.h>

#include "db/read/web_read.h"
#include "service/patch_bulk.h"
#include "web/list_filters.h"
#include "web/patch_list.h"
#include "web/site_pages.h"

namespace pb::web {
namespace {

TEST(PyJsonString, EnsureAscii) {
  EXPECT_EQ(PyJsonString("plain"), "\"plain\"");
  EXPECT_EQ(PyJsonString("J\xC3\xB6rg"), "\"J\\u00f6rg\"");
  EXPECT_EQ(PyJsonString("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(PyJsonString("\xF0\x9F\x98\x80"), "\"\\ud83d\\ude00\"");  // surrogate pair
  EXPECT_EQ(PyJsonString(std::string("\x01", 1)), "\"\\u0001\"");
}

TEST(UrlQuote, KeepsSlashOnly) {
  EXPECT_EQ(UrlQuote("a b/c*"), "a%20b/c%2A");
  EXPECT_EQ(UrlQuote("Nobody"), "Nobody");
}

TEST(PersonShown, NoAddressOnThePage) {
  EXPECT_EQ(PersonShown(std::string("Ada"), "ada@example.org"), "Ada");
  EXPECT_EQ(PersonShown(std::nullopt, "ada@example.org"), "ada");
  EXPECT_EQ(PersonShown(std::string(), "bo@example.org"), "bo");
}

// Patch.is_editable: submitter's user, delegate, or a project maintainer;
// nobody else, superusers included.
TEST(PatchEditable, UpstreamRules) {
  db::read::ProjectRec project;
  project.id = 1;
  project.maintainers.push_back(db::read::UserRec{7, "maria", "", "", ""});
  db::read::PatchOwnerRec p;
  p.id = 10;
  p.project_id = 1;
  p.submitter_user_id = 3;
  p.delegate_id = 4;
  EXPECT_FALSE(service::PatchEditable(p, std::nullopt, &project));
  EXPECT_TRUE(service::PatchEditable(p, 3, &project));   // submitter
  EXPECT_TRUE(service::PatchEditable(p, 4, &project));   // delegate
  EXPECT_TRUE(service::PatchEditable(p, 7, &project));   // maintainer
  EXPECT_FALSE(service::PatchEditable(p, 9, &project));  // anyone else
  EXPECT_FALSE(service::PatchEditable(p, 7, nullptr));   // unknown project
}

}  // namespace
}  // namespace pb::web
