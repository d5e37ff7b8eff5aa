// Unit tests of the parser's pieces. Expected values follow spec §2 and were
// checked against upstream's parser.py running under Python 3.11.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parser/content.h"
#include "parser/date.h"
#include "parser/parsed_mail.h"
#include "parser/subject.h"

#ifdef PATCHBAY_LAZY_OPENSSL_CPUID
// libcrypto's CPU capability vector; bit 10 is set once OPENSSL_cpuid_setup()
// has filled it (OpenSSL's crypto/cpuid.c).
extern "C" unsigned int OPENSSL_ia32cap_P[4];
#endif

namespace pb::parser {
namespace {

using Strings = std::vector<std::string>;

struct SubjectCase {
  const char* subject;
  const char* name;
  Strings prefixes;
  int x, n;  // -1: none
  int version;
  bool reply;
};

TEST(Subject, SpecTable) {
  const SubjectCase cases[] = {
      {"[PATCH v2 01/14] foo", "[v2,01/14] foo", {"v2", "01/14"}, 1, 14, 2, false},
      {"[RESEND PATCH] foo", "[RESEND] foo", {"RESEND"}, -1, -1, 1, false},
      {"[PATCH RESEND v3 2/5] foo", "[RESEND,v3,2/5] foo", {"RESEND", "v3", "2/5"}, 2, 5, 3, false},
      {"[RFC PATCH net-next 0/3] foo", "[RFC,net-next,0/3] foo", {"RFC", "net-next", "0/3"}, 0, 3, 1, false},
      {"[PATCH] [RFC] [1/2] meep", "[RFC,1/2] meep", {"RFC", "1/2"}, 1, 2, 1, false},
      {"[PATCH][v2] foo (v3)", "[v2] foo (v3)", {"v2"}, -1, -1, 2, false},
      {"[PATCH 1 of 3] hg", "[1 of 3] hg", {"1 of 3"}, 1, 3, 1, false},
      {"[PATCHv2 3/4] x", "[PATCHv2,3/4] x", {"PATCHv2", "3/4"}, 3, 4, 1, false},
      {"[linux-next][PATCH] x", "[linux-next] x", {"linux-next"}, -1, -1, 1, false},
      {"foo [PATCH] bar", "foo [PATCH] bar", {}, -1, -1, 1, false},
      {"Re: [PATCH] x", "x", {}, -1, -1, 1, true},
      {"RE [PATCH] x", "x", {}, -1, -1, 1, true},
      {"Re:[PATCH] x", "x", {}, -1, -1, 1, true},
      {"Fwd: [PATCH] x", "x", {}, -1, -1, 1, false},
      {"[Patch]: Fix ld", ": Fix ld", {}, -1, -1, 1, false},
      {"", "", {}, -1, -1, 1, false},
      {"[Patch 1 of 3] lower", "[1,of,3] lower", {"1", "of", "3"}, -1, -1, 1, false},
      {"[PATCH] fix (V4)", "fix (V4)", {}, -1, -1, 4, false},
      {"[v2PATCH12/15] x", "[v2PATCH12/15] x", {"v2PATCH12/15"}, 12, 15, 1, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.subject);
    CleanedSubject s = CleanSubject(c.subject, {});
    EXPECT_EQ(s.name, c.name);
    EXPECT_EQ(s.prefixes, c.prefixes);
    auto marker = ParseSeriesMarker(s.prefixes);
    EXPECT_EQ(marker ? marker->first : -1, c.x);
    EXPECT_EQ(marker ? marker->second : -1, c.n);
    EXPECT_EQ(ParseVersion(s.name, s.prefixes), c.version);
    EXPECT_EQ(IsReplySubject(c.subject), c.reply);
  }
}

TEST(Subject, ProjectLinknameIsDroppedCaseInsensitively) {
  auto s = CleanSubject("[Linuxppc-Dev] [PATCH v2] x", {"linuxppc-dev"});
  EXPECT_EQ(s.name, "[v2] x");
}

TEST(Subject, EncodedSubjectsAreDecodedFirst) {
  auto s = CleanSubject("=?utf-8?q?=5BPATCH=5D_caf=C3=A9?=", {});
  EXPECT_EQ(s.name, "café");
}

TEST(Hash, NormalisesFileNamesAndHunkHeaders) {
  // Same change, different paths/line numbers/timestamps: same hash.
  std::string a =
      "diff --git a/dir/f.c b/dir/f.c\nindex 1..2 100644\n--- a/dir/f.c\n+++ b/dir/f.c\n"
      "@@ -10,3 +10,3 @@ int main\n ctx\n-old\n+new\n";
  std::string b = "--- x/dir/f.c\t2011-01-01\n+++ y/dir/f.c\n@@ -99,3 +77,3 @@\n ctx\n-old\n+new\n\n";
  EXPECT_EQ(HashDiff(a), HashDiff(b));
  EXPECT_EQ(HashDiff(a).size(), 40u);
  EXPECT_NE(HashDiff(a), HashDiff("--- a/dir/f.c\n+++ b/dir/f.c\n@@ -10 +10 @@\n-old\n+new\n"));
}

TEST(Hash, RenameOnlyDiffHashesTheEmptyInput) {
  EXPECT_EQ(HashDiff("diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n"),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Hash, KnownValue) {
  // sha1("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n")
  EXPECT_EQ(HashDiff("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"),
            "55a796d31a5a90af598862300e5a616da8ac982f");
}

#ifdef PATCHBAY_LAZY_OPENSSL_CPUID
// The build takes libcrypto's CPU probe out of _init; HashDiff runs it, or
// SHA-1 would fall back to its plain integer code without a word.
TEST(Hash, ProbesTheCpuBeforeHashing) {
  HashDiff("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
  EXPECT_NE(OPENSSL_ia32cap_P[0] & (1u << 10), 0u);
}
#endif

TEST(DiffFileNames, SortedUniqueWithoutFirstComponent) {
  std::string d = "--- a/b/c.txt\n+++ b/b/c.txt\n--- /dev/null\n+++ b/a.txt\n--- a/b/c.txt\n+++ noslash\n";
  EXPECT_EQ(DiffFileNames(d), (Strings{"", "a.txt", "b/c.txt"}));
}

TEST(ParsePatch, SplitsCommentAndDiff) {
  auto r = ParsePatch("Hi\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.1\n");
  EXPECT_EQ(r.diff, "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n");
  EXPECT_EQ(r.comment, "Hi\n\n-- \n2.1\n\n");
}

TEST(ParsePatch, DashedLineWithoutHunkStaysComment) {
  auto r = ParsePatch("text\n--- a/x\nnot a patch\n");
  EXPECT_FALSE(r.diff);
  EXPECT_EQ(r.comment, "text\n--- a/x\nnot a patch\n\n");
}

TEST(ParsePatch, NoNewlineMarkerAndZeroCounts) {
  auto r = ParsePatch("--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n");
  EXPECT_EQ(r.diff, "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n");
}

TEST(ParsePatch, BinaryPatchThenNextFileHeaderFallsIntoComment) {
  // fixture 0026: after a binary hunk the next "diff" line waits in buf and
  // its extended headers end up in the comment.
  auto r = ParsePatch(
      "diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0..1\nGIT binary patch\nliteral 1\n"
      "Ic${kYm0RaA\n\ndiff --git a/t b/t\nnew file mode 100644\nindex 0..2\n--- /dev/null\n+++ b/t\n"
      "@@ -0,0 +1 @@\n+x\n");
  ASSERT_TRUE(r.diff);
  EXPECT_NE(r.diff->find("GIT binary patch"), std::string::npos);
  EXPECT_NE(r.diff->find("+++ b/t"), std::string::npos);
  ASSERT_TRUE(r.comment);
  EXPECT_NE(r.comment->find("new file mode 100644"), std::string::npos);
}

TEST(CleanContent, CutsSignatureAndListFooter) {
  EXPECT_EQ(CleanContent("hello\n\n-- \nsig\n"), "hello");
  EXPECT_EQ(CleanContent("a\n___\nfooter"), "a");
  EXPECT_EQ(CleanContent("a\n---\nb"), "a\n---\nb");
  EXPECT_EQ(CleanContent("  \n x \n"), "x");
}

TEST(PullRequest, Shapes) {
  EXPECT_EQ(ParsePullRequest("The following changes since commit abc:\n\n  x\n\nare available in the "
                             "Git repository at:\n\n  git://git.kernel.org/pub/scm/linux/kernel/git/"
                             "benh/powerpc.git\n  next\n\nfor you"),
            "git://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next");
  EXPECT_EQ(ParsePullRequest("The following changes since commit abc:\nare available in the git "
                             "repository at:\n  https://example.com/r.git tags/v1  \n"),
            "https://example.com/r.git tags/v1");
  EXPECT_EQ(ParsePullRequest("The following changes since commit abc:\nare available in the git "
                             "repository at:\n  git+ssh://git@host/r.git\n"),
            "git+ssh://git@host/r.git");
  // The URL must be on a following line.
  EXPECT_FALSE(ParsePullRequest("The following changes since commit abc:\nare available in the git "
                                "repository at: https://example.com/r.git\n"));
  EXPECT_FALSE(ParsePullRequest("no pull request here"));
}

std::optional<std::string> Date(std::string_view s) {
  auto t = ParseMailDate(s);
  if (!t) return std::nullopt;
  return FormatIsoDate(*t);
}

TEST(Date, Rfc2822AndObsoleteForms) {
  EXPECT_EQ(Date("Mon, 26 Apr 2019 14:32:39 +1000"), "2019-04-26T04:32:39");
  EXPECT_EQ(Date("Sun, 1 Jan 2023 00:00:00 -0800 (PST)"), "2023-01-01T08:00:00");
  EXPECT_EQ(Date("26 Apr 2019 14:32 EST"), "2019-04-26T19:32:00");
  EXPECT_EQ(Date("1 Jan 98 12:00:00 GMT"), "1998-01-01T12:00:00");
  EXPECT_EQ(Date("Thu, 31 Feb 2019 25:61:00 +0000"), "2019-03-04T02:01:00");
  EXPECT_EQ(Date("Fri, 01 Jan 0001 00:00:00 +0100"), "2000-12-31T23:00:00");
  EXPECT_EQ(Date("Tue, 30 Apr 2019 10:00:00 +01:00"), "2019-04-30T10:00:00");
  EXPECT_EQ(Date("Mon,26 Apr 2019 14:32:39 +1000"), "2019-04-26T04:32:39");
}

// The common form's shortcut answers as the general path does, for values
// of that form and for values a word or a character away from it.
TEST(Date, CommonFormAnswersAsTheGeneralPath) {
  std::mt19937 rng(13);
  auto pick = [&](std::initializer_list<std::string_view> xs) {
    return std::string(xs.begin()[rng() % xs.size()]);
  };
  auto num = [&](int digits) {
    std::string s;
    for (int i = 0; i < digits; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  int shortcut = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<std::string> w = {
        pick({"Mon,", "tue,", ",", "Wed", "Thu,,", "FRI,", "Sat ,", "x,", "Sun"}),
        pick({"1", "2", "31", "07", "00", "123", "+1", "1,", "3_1", ""}) + (rng() % 8 ? "" : num(1)),
        pick({"Jan", "feb", "MAR", "April", "may", "June", "jul", "aug", "Sept", "sep", "september",
              "Octobre", "nov", "DEC", "foo", "12", "Jan,"}),
        pick({"2019", "1998", "98", "69", "68", "0", "0001", "9999", "10000", "99999", "20_19", "2019,"}),
        pick({"14:32:39", "0:0:0", "23:59", "99:99:99", "1:2:3:4", "12.30.00", "12:30:", ":1:2",
              "12:30:00,", "007:00:00"}),
        pick({"+1000", "-0800", "+0000", "-0000", "+01:00", "GMT", "est", "+100", "-99999", "+99_99",
              "0700", "Z", "--0100"}),
    };
    if (rng() % 3 == 0) w.push_back(pick({"(PST)", "(UTC)", "x", "+0100", "(a b)"}));
    if (rng() % 10 == 0) w.erase(w.begin() + static_cast<long>(rng() % w.size()));
    if (rng() % 10 == 0) std::swap(w[rng() % w.size()], w[rng() % w.size()]);
    std::string s;
    for (const auto& x : w) {
      s += x;
      s += pick({" ", " ", " ", "  ", "\t", ""});
    }
    if (rng() % 20 == 0 && !s.empty()) s[rng() % s.size()] = pick({"\x1f", "\xa0", "\x7f", ","})[0];
    if (rng() % 20 == 0) s = " " + s;
    auto general = detail::ParseMailDateGeneral(s);
    ASSERT_EQ(ParseMailDate(s), general) << s;
    shortcut += general.has_value();
  }
  EXPECT_GT(shortcut, 10000);  // and the values are mostly dates it reads
}

TEST(Date, UnparseableOrOutOfRange) {
  EXPECT_FALSE(Date("2019-04-26"));
  EXPECT_FALSE(Date(""));
  EXPECT_FALSE(Date("Wed, 4 Jun 207777777777777777777714 17:50:46 0"));
  EXPECT_FALSE(Date("Wed, 4 Jun 10000 17:50:46 +0000"));
  EXPECT_FALSE(Date("Thu, 1 Jan 2019 407080403080105:04 +0100"));
}

ParsedMail FromHeader(std::string from) {
  ParsedMail m;
  m.from = std::move(from);
  return m;
}

TEST(Author, SplitRules) {
  auto a = ParseAuthor(FromHeader("\"Foo Bar\" <foo@bar.com>"), "");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "Foo Bar");
  EXPECT_EQ(a->email, "foo@bar.com");
  a = ParseAuthor(FromHeader("foo at bar.com (Foo Bar)"), "");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->email, "foo@bar.com");
  EXPECT_EQ(a->name, "Foo Bar");
  a = ParseAuthor(FromHeader("foo@bar.com (Foo Bar)"), "");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "Foo Bar");
  a = ParseAuthor(FromHeader("foo@bar.com"), "");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "");
  EXPECT_FALSE(ParseAuthor(FromHeader("Foo <foo@localhost>"), "").ok());
  EXPECT_FALSE(ParseAuthor(FromHeader(""), "").ok());
  EXPECT_FALSE(ParseAuthor(FromHeader("Foo <foo bar@x.com>"), "").ok());
}

TEST(Author, DmarcMungedFromUsesReplyToOrCc) {
  ParsedMail m = FromHeader("Jane Doe via Linuxppc-dev <linuxppc-dev@lists.ozlabs.org>");
  m.reply_to = {"Jane Doe <jane@example.com>"};
  auto a = ParseAuthor(m, "linuxppc-dev@lists.ozlabs.org");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "Jane Doe");
  EXPECT_EQ(a->email, "jane@example.com");

  m.reply_to.clear();
  m.cc = {"Other <o@example.com>, 'Jane Doe' <x@y.org>, Jane Doe <jane2@example.com>"};
  a = ParseAuthor(m, "LinuxPPC-dev@lists.ozlabs.org");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->email, "jane2@example.com");

  m.cc.clear();
  m.original_from = "Jane <jane3@example.com>";
  a = ParseAuthor(m, "linuxppc-dev@lists.ozlabs.org");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->email, "jane3@example.com");
  EXPECT_EQ(a->name, "Jane Doe");

  // Not the list address: untouched.
  a = ParseAuthor(m, "other@lists.ozlabs.org");
  EXPECT_EQ(a->email, "linuxppc-dev@lists.ozlabs.org");
}

TEST(ParseMail, MissingHeadersAreErrors) {
  auto r = ParseMail("Subject: x\nMessage-Id: <a@b>\n\nbody\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Missing 'From' header");
  r = ParseMail("From: a@b.c\nSubject: x\nMessage-Id: \n\nbody\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Broken 'Message-Id' header");
}

TEST(ParseMail, BasicPatch) {
  auto r = ParseMail(
      "From: Foo <foo@bar.com>\nSubject: [PATCH v2 1/2] thing\nMessage-Id: <1@x>\n"
      "In-Reply-To: <0@x>\nReferences: <a@x> <0@x>\nList-Id: Dev list <dev.lists.x.org>\n"
      "Date: Mon, 26 Apr 2019 14:32:39 +1000\nX-Patchwork-Hint: IGNORE\n\n"
      "Commit text\r\n\n---\n f | 1 +\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->msgid, "<1@x>");
  EXPECT_EQ(r->refs, (Strings{"<0@x>", "<a@x>"}));
  EXPECT_EQ(r->list_ids, (Strings{"dev.lists.x.org"}));
  EXPECT_EQ(r->name, "[v2,1/2] thing");
  EXPECT_EQ(r->series_x, 1);
  EXPECT_EQ(r->series_n, 2);
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(r->hint, "IGNORE");
  EXPECT_EQ(FormatIsoDate(*r->date), "2019-04-26T04:32:39");
  EXPECT_EQ(r->diff, "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
  EXPECT_EQ(r->content, "Commit text\n\n---\n f | 1 +");  // CRLF stored as LF
  EXPECT_TRUE(r->headers.rfind("From: Foo <foo@bar.com>\nSubject: ", 0) == 0);
  ApplyProjectSubject(*r, "dev");
  EXPECT_EQ(r->name, "[v2,1/2] thing");
}

}  // namespace
}  // namespace pb::parser
