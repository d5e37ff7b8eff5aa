// Every upstream fixture mail (../shared/corpus/patchwork-fixtures) parsed
// and compared with what upstream Patchwork derived from it. The expected
// values live in testdata/fixtures.json (produced with upstream's parser and
// cross-checked against ../shared/golden/ingest/per-fixture-isolated.json);
// the golden file itself is checked too when present.
#include <gtest/gtest.h>

#include <map>

#include "corpus_util.h"
#include "mail/mailbox.h"
#include "parser/parsed_mail.h"

namespace pb::parser {
namespace {

using namespace pb::parser::testing;
namespace json = boost::json;

std::string SourceDir() { return PATCHBAY_SOURCE_DIR; }

std::optional<std::string> OptSha(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return Sha256(*s);
}

// The mails of one fixture file, read the way upstream read it.
std::vector<std::string> MailsOf(const std::string& data, bool single) {
  std::vector<std::string> out;
  if (single) {
    out.push_back(data);
  } else {
    mail::SplitMbox(data, [&](std::string_view m) {
      out.emplace_back(m);
      return true;
    });
  }
  return out;
}

class Fixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SharedDir() + "/corpus/patchwork-fixtures")) {
      GTEST_SKIP() << "../shared not available";
    }
    auto text = ReadFile(SourceDir() + "/tests/parser/testdata/fixtures.json");
    ASSERT_TRUE(text);
    expected_ = json::parse(*text).as_object();
  }
  json::object expected_;
};

TEST_F(Fixtures, MatchUpstream) {
  int files = 0, mails = 0;
  for (const auto& [key, entry] : expected_) {
    SCOPED_TRACE(std::string(key));
    const auto& e = entry.as_object();
    auto data = ReadFile(SharedDir() + "/" + Str(e.at("path")));
    ASSERT_TRUE(data);
    bool single = Str(e.at("mode")) == "single";
    auto raws = MailsOf(*data, single);
    const auto& msgs = e.at("messages").as_array();
    ASSERT_EQ(raws.size(), msgs.size());
    ++files;
    for (size_t i = 0; i < raws.size(); ++i) {
      SCOPED_TRACE("message " + std::to_string(i));
      ParseOptions opt;
      opt.universal_newlines = single;  // parsemail reads in text mode
      auto r = ParseMail(raws[i], opt);
      const auto& m = msgs[i].as_object();
      ++mails;
      if (m.contains("error")) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status().message(), Str(m.at("error")));
        continue;
      }
      ASSERT_TRUE(r.ok()) << r.status().message();
      ApplyProjectSubject(*r, "patchwork");
      EXPECT_EQ(r->msgid, Str(m.at("msgid")));
      EXPECT_EQ(r->name, Str(m.at("name")));
      EXPECT_EQ(r->version, m.at("version").as_int64());
      EXPECT_EQ(r->is_comment, m.at("is_comment").as_bool());
      EXPECT_EQ(r->series_x.has_value(), !m.at("x").is_null());
      if (r->series_x && !m.at("x").is_null()) {
        EXPECT_EQ(*r->series_x, m.at("x").as_int64());
      }
      if (r->series_n && !m.at("n").is_null()) {
        EXPECT_EQ(*r->series_n, m.at("n").as_int64());
      }
      std::vector<std::string> refs;
      for (const auto& v : m.at("refs").as_array()) refs.push_back(Str(v));
      EXPECT_EQ(r->refs, refs);
      if (!m.at("date").is_null()) {
        ASSERT_TRUE(r->date);
        EXPECT_EQ(FormatIsoDate(*r->date), Str(m.at("date")));
      }
      EXPECT_EQ(OptSha(r->diff), m.at("diff_sha256").is_null() ? std::nullopt
                                                             : std::optional(Str(m.at("diff_sha256"))));
      EXPECT_EQ(OptSha(r->content),
                m.at("content_sha256").is_null() ? std::nullopt
                                                 : std::optional(Str(m.at("content_sha256"))));
      EXPECT_EQ(Sha256(r->headers), Str(m.at("headers_sha256")));
      if (r->diff) {
        EXPECT_EQ(HashDiff(*r->diff), Str(m.at("hash")));
      }
      EXPECT_EQ(r->pull_url.value_or(""), Str(m.at("pull_url")));
    }
  }
  EXPECT_GE(files, 70);
  EXPECT_GE(mails, 150);
}

// Straight from upstream's golden database: every patch and cover stored for
// a fixture ingested on its own.
TEST_F(Fixtures, GoldenPerFixtureRows) {
  auto text = ReadFile(SharedDir() + "/golden/ingest/per-fixture-isolated.json");
  if (!text) GTEST_SKIP() << "no golden ingest data";
  auto golden = json::parse(*text).as_object();
  int checked = 0;
  for (const auto& [key, g] : golden) {
    SCOPED_TRACE(std::string(key));
    if (!expected_.contains(key)) continue;
    const auto& e = expected_.at(key).as_object();
    auto data = ReadFile(SharedDir() + "/" + Str(e.at("path")));
    ASSERT_TRUE(data);
    bool single = Str(e.at("mode")) == "single";
    std::map<std::string, ParsedMail> by_msgid;
    for (const auto& raw : MailsOf(*data, single)) {
      ParseOptions opt;
      opt.universal_newlines = single;
      auto r = ParseMail(raw, opt);
      if (!r.ok()) continue;
      ApplyProjectSubject(*r, "patchwork");
      by_msgid.emplace(r->msgid, std::move(*r));
    }
    const auto& db = g.as_object().at("db").as_object();
    for (const auto& p : db.at("patches").as_array()) {
      const auto& row = p.as_object();
      auto it = by_msgid.find(Str(row.at("msgid")));
      ASSERT_NE(it, by_msgid.end());
      const ParsedMail& m = it->second;
      EXPECT_EQ(m.name, Str(row.at("name")));
      EXPECT_EQ(m.diff.has_value(), row.at("has_diff").as_bool());
      if (m.diff) {
        EXPECT_EQ(HashDiff(*m.diff), Str(row.at("hash")));
      }
      EXPECT_EQ(m.pull_url.value_or(""), Str(row.at("pull_url")));
      if (m.date) {
        EXPECT_EQ(FormatIsoDate(*m.date), Str(row.at("date")));
      }
      ++checked;
    }
    for (const auto& c : db.at("covers").as_array()) {
      auto it = by_msgid.find(Str(c.as_object().at("msgid")));
      ASSERT_NE(it, by_msgid.end());
      EXPECT_EQ(it->second.name, Str(c.as_object().at("name")));
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

// Hostile input: every fuzz fixture yields a mail or an error, never a crash,
// also when cut short at any point.
TEST_F(Fixtures, FuzzInputsNeverCrash) {
  for (const auto& e : std::filesystem::directory_iterator(SharedDir() + "/corpus/patchwork-fixtures/fuzz")) {
    auto data = ReadFile(e.path().string());
    ASSERT_TRUE(data);
    for (size_t cut = 0; cut <= data->size(); cut += std::max<size_t>(1, data->size() / 97)) {
      auto r = ParseMail(std::string_view(*data).substr(0, cut));
      if (r.ok() && r->diff) HashDiff(*r->diff);
    }
  }
}

}  // namespace
}  // namespace pb::parser
