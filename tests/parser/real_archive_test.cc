// The 5,000-mail linuxppc-dev archive against what upstream Patchwork stored
// for it (../shared/corpus/real-lists/*.reference.json): name, hash, and the
// sha256 of content, diff and stored header text of every patch, cover and
// comment. Reports the agreement rate; every field must agree.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "corpus_util.h"
#include "mail/mailbox.h"
#include "parser/parsed_mail.h"

namespace pb::parser {
namespace {

using namespace pb::parser::testing;
namespace json = boost::json;

TEST(RealArchive, AgreesWithUpstreamReference) {
  const std::string base = SharedDir() + "/corpus/real-lists/linuxppc-dev-first5k";
  auto ref_text = ReadFile(base + ".reference.json");
  if (!ref_text) GTEST_SKIP() << "reference not available";
  auto mbox = ReadZstd(base + ".mbox.zst");
  if (!mbox) GTEST_SKIP() << "archive or zstd not available";
  auto ref = json::parse(*ref_text).as_object();
  const auto& objects = ref.at("objects").as_object();
  const std::string linkname = Str(ref.at("meta").at("project").at("linkname"));

  std::map<std::string, int> ok, total;
  std::vector<std::string> failures;
  auto check = [&](const std::string& field, const std::string& msgid, bool good) {
    ++total[field];
    if (good) {
      ++ok[field];
    } else if (failures.size() < 20) {
      failures.push_back(field + " " + msgid);
    }
  };
  std::set<std::string> seen;
  size_t mails = 0;
  double parse_seconds = 0;
  mail::SplitMbox(*mbox, [&](std::string_view raw) {
    ++mails;
    auto t0 = std::chrono::steady_clock::now();
    auto r = ParseMail(raw);
    parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) return true;
    ApplyProjectSubject(*r, linkname);
    if (!seen.insert(r->msgid).second) return true;  // duplicates: upstream kept the first
    auto it = objects.find(r->msgid);
    if (it == objects.end()) return true;
    const auto& o = it->value().as_object();
    const std::string kind = Str(o.at("kind"));
    auto sha_or_null = [](const std::optional<std::string>& s) {
      return s ? Sha256(*s) : std::string();
    };
    check(kind + ".content", r->msgid, sha_or_null(r->content) == Str(o.at("content_sha256")));
    check(kind + ".headers", r->msgid, Sha256(r->headers) == Str(o.at("headers_sha256")));
    if (!o.at("date_is_ingest_time").as_bool()) {
      check(kind + ".date", r->msgid, r->date && FormatIsoDate(*r->date) == Str(o.at("date")));
    }
    if (kind == "patch" || kind == "cover") check(kind + ".name", r->msgid, r->name == Str(o.at("name")));
    if (kind == "patch") {
      check("patch.diff", r->msgid, sha_or_null(r->diff) == Str(o.at("diff_sha256")));
      check("patch.hash", r->msgid, (r->diff ? HashDiff(*r->diff) : "") == Str(o.at("hash")));
      check("patch.pull_url", r->msgid, r->pull_url.value_or("") == Str(o.at("pull_url")));
    }
    return true;
  });
  EXPECT_EQ(mails, 5000u);
  int all_ok = 0, all = 0;
  for (const auto& [field, n] : total) {
    std::printf("  %-16s %5d/%5d\n", field.c_str(), ok[field], n);
    all_ok += ok[field];
    all += n;
  }
  std::printf("  agreement: %.2f%% (%d/%d fields); parse-only %.0f mails/s\n",
              all ? 100.0 * all_ok / all : 0.0, all_ok, all, mails / parse_seconds);
  for (const auto& f : failures) ADD_FAILURE() << "mismatch: " << f;
  EXPECT_EQ(all_ok, all);
  EXPECT_GT(total["patch.hash"], 1700);
}

}  // namespace
}  // namespace pb::parser
