// mbox formatting without a database (spec §4.1).
#include <gtest/gtest.h>

#include "mail/header.h"
#include "mbox/mbox.h"

namespace pb::mbox {
namespace {

Submission Sample() {
  Submission s;
  s.id = 7;
  s.content = "Commit message.\n\nSigned-off-by: A <a@example.com>\n---\nv2: tidied\n";
  s.diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
  s.headers = "From: A <a@example.com>\nSubject: [PATCH] x\nContent-Type: text/plain\nMIME-Version: 1.0";
  s.date = *MicrosFromCivil(2024, 1, 1, 9, 0, 0);
  s.submitter_name = "A";
  s.submitter_email = "a@example.com";
  s.list_email = "list@example.com";
  s.comment_contents = {"> quoted\nReviewed-by: R <r@example.com>\nthanks\n"};
  return s;
}

TEST(MboxFormat, LayoutTagsAndPostscript) {
  std::string out = FormatSubmission(Sample());
  EXPECT_EQ(out,
            "From patchwork Mon Jan  1 09:00:00 2024\n"
            "Content-Type: text/plain; charset=\"utf-8\"\n"
            "MIME-Version: 1.0\n"
            "Content-Transfer-Encoding: 7bit\n"
            "X-Patchwork-Submitter: A <a@example.com>\n"
            "X-Patchwork-Id: 7\n"
            "From: A <a@example.com>\n"
            "Subject: [PATCH] x\n"
            "MIME-Version: 1.0\n"
            "Date: Mon, 01 Jan 2024 09:00:00 -0000\n"
            "\n"
            "Commit message.\n\nSigned-off-by: A <a@example.com>\n"
            "Reviewed-by: R <r@example.com>\n"
            "---\nv2: tidied\n"
            "\n"
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n");
}

TEST(MboxFormat, ListAddressFromIsReplacedBySubmitter) {
  Submission s = Sample();
  s.headers = "From: A via List <list@example.com>\nSubject: x";
  s.submitter_name = "Jörg";
  std::string out = FormatSubmission(s);
  EXPECT_NE(out.find("X-Patchwork-Original-From: A via List <list@example.com>\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nFrom: =?utf-8?b?SsO2cmc=?= <a@example.com>\n"), std::string::npos) << out;
}

TEST(MboxFormat, SubmitterNameUsesTheShorterEncodedWord) {
  Submission s = Sample();
  // Expected values are what Python's email.utils.formataddr produces.
  s.submitter_name = "André Przywara";  // mostly ASCII: Q is shorter than B
  EXPECT_NE(FormatSubmission(s).find("X-Patchwork-Submitter: =?utf-8?q?Andr=C3=A9_Przywara?= <a@example.com>\n"),
            std::string::npos)
      << FormatSubmission(s);
  s.submitter_name = "Ævar Arnfjörð Bjarmason";  // B is shorter; the header folds at 78
  EXPECT_NE(FormatSubmission(s).find("X-Patchwork-Submitter: =?utf-8?b?w4Z2YXIgQXJuZmrDtnLDsCBCamFybWFzb24=?=\n <a@example.com>\n"),
            std::string::npos)
      << FormatSubmission(s);
}

TEST(MboxFormat, NonAsciiBodyIs8bit) {
  Submission s = Sample();
  s.content = "Grüße\n";
  EXPECT_NE(FormatSubmission(s).find("Content-Transfer-Encoding: 8bit\n"), std::string::npos);
}

TEST(HeaderFold, FoldsLikePythonEmailHeader) {
  EXPECT_EQ(mail::EncodeHeaderValue("Subject", "short"), "short");
  EXPECT_EQ(mail::EncodeHeaderValue("Message-Id", "\n <long@example.com>"), "\n <long@example.com>");
  std::string refs = "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com> <bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@example.com>";
  EXPECT_EQ(mail::EncodeHeaderValue("References", refs),
            "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>\n <bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@example.com>");
  std::string to = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@example.com";
  EXPECT_EQ(mail::EncodeHeaderValue("To", to),
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com,\n bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@example.com");
}

}  // namespace
}  // namespace pb::mbox
