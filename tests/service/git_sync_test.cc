// The pure parts of git-sync: which msgids a commit message names, and the
// subject a commit and a posting share. The matching itself runs against
// real repositories in tests/integration/git_sync.py.
#include <gtest/gtest.h>

#include "git/trailers.h"
#include "service/git_sync.h"

namespace pb {
namespace {

TEST(GitTrailers, LinkAndMessageIdTrailers) {
  auto ids = git::TrailerMsgids(
      "net: fix a leak\n\nBody.\n\nLink: https://lore.kernel.org/r/20240101.123-1-ann@example.org/\n"
      "link: https://patch.msgid.link/abc%40host.example\n"
      "Link: https://lore.kernel.org/netdev/x.y@z/T/#u\n"
      "Message-Id: <m1@example.org>\n"
      "Message-ID: m1@example.org\n");
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], "<20240101.123-1-ann@example.org>");
  EXPECT_EQ(ids[1], "<abc@host.example>");
  EXPECT_EQ(ids[2], "<x.y@z>");
  EXPECT_EQ(ids[3], "<m1@example.org>");
}

TEST(GitTrailers, LinksWithoutAMsgidAreIgnored) {
  EXPECT_TRUE(git::TrailerMsgids("Link: https://bugzilla.example.org/show_bug.cgi?id=5\n"
                                 "Link: not a url@all\nMessage-Id: <no at sign>\n")
                  .empty());
}

TEST(GitSyncSubject, PrefixesAndSpacesDoNotCount) {
  EXPECT_EQ(service::NormalizedSubject("[v2,3/5] net:  fix\ta leak"), "net: fix a leak");
  EXPECT_EQ(service::NormalizedSubject("[PATCH] [RFC]net: fix a leak "), "net: fix a leak");
  EXPECT_EQ(service::NormalizedSubject("net: fix a leak"), "net: fix a leak");
  EXPECT_NE(service::NormalizedSubject("net: fix a leak"), service::NormalizedSubject("net: fix leaks"));
}

TEST(GitSyncSubject, ANameCutAt255CharactersMatchesTheSubjectItBegins) {
  // A resend's "[RESEND,1/5] " prefix pushed this subject past the 255
  // characters a patch name keeps; its v1 kept the whole subject.
  std::string subject = "perf: ";
  while (subject.size() < 300) subject += "§ word ";
  std::string cut = "[RESEND,1/5] ";
  size_t chars = 13;
  for (size_t i = 0; chars < 255; ++chars) {
    size_t n = (static_cast<unsigned char>(subject[i]) & 0x80) ? 2 : 1;
    cut += subject.substr(i, n);
    i += n;
  }
  std::string norm = service::NormalizedSubject(subject);
  EXPECT_TRUE(service::SameSubject(cut, norm));
  EXPECT_TRUE(service::SameSubject("[PATCH] " + subject, norm));
  // A short name is not a prefix match: "net: fix" is not "net: fix a leak".
  EXPECT_FALSE(service::SameSubject("[PATCH] net: fix", "net: fix a leak"));
  // Nor is a cut name of another subject.
  EXPECT_FALSE(service::SameSubject(cut, service::NormalizedSubject("other: " + subject)));
}

TEST(GitSyncChangedLines, ContextAndLineNumbersDoNotCount) {
  const char* a =
      "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -10,3 +10,3 @@\n ctx one\n-old\n+new  \n ctx two\n";
  const char* b =
      "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -40,3 +40,3 @@ int f()\n other\n-old\n+new\n ctx\n";
  const char* c =
      "diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -40,3 +40,3 @@\n other\n-old\n+newer\n ctx\n";
  const char* d =
      "diff --git a/g.c b/g.c\n--- a/g.c\n+++ b/g.c\n@@ -10,3 +10,3 @@\n ctx one\n-old\n+new\n ctx two\n";
  EXPECT_EQ(service::ChangedLinesHash(a), service::ChangedLinesHash(b));
  EXPECT_NE(service::ChangedLinesHash(a), service::ChangedLinesHash(c));
  EXPECT_NE(service::ChangedLinesHash(a), service::ChangedLinesHash(d));
  // A removed line that looks like a file header is still a removed line.
  const char* e = "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,1 @@\n--- a/x\n keep\n";
  EXPECT_NE(service::ChangedLinesHash(e), "");
  EXPECT_EQ(service::ChangedLinesHash("--- a/f.c\n+++ b/f.c\n"), "");
}

}  // namespace
}  // namespace pb
