// A kept project list page or patch page (web/spliced_page.h) is byte for
// byte the page a full render gives: for anonymous and logged-in visitors with different
// list settings, bundles and to-do counts, on later requests, and after
// writes (a bulk update through the list's form, a new bundle, changed
// settings, a delegation).
#include <gtest/gtest.h>

#include <regex>

#include "http_request.h"
#include "api/csrf.h"
#include "db/connection.h"
#include "db/read/users_read.h"
#include "service/bundle_contents.h"
#include "service/sessions.h"
#include "service/user_updates.h"
#include "test_util.h"
#include "web/pages.h"
#include "web/spliced_page.h"
#include "web/visitor.h"

namespace pb::web {
namespace {

constexpr const char* kCsrfSecret = "abcdefghijklmnopqrstuvwxyzABCDEF";

TEST(SplicedPage, CutsAtMarkersAndFillsEachKindOnce) {
  http::Response r;
  r.status = 200;
  r.headers = {{"Content-Type", "text/html"}};
  r.body = "a" + std::string(HoleMarker(Hole::kCsrfToken)) + "b" +
           std::string(HoleMarker(Hole::kAccountNav)) + "c" + std::string(HoleMarker(Hole::kCsrfToken));
  auto page = SplicedPage::Cut(r);
  ASSERT_TRUE(page);
  int asked = 0;
  auto filled = page->Fill([&](Hole h) {
    ++asked;
    return h == Hole::kCsrfToken ? std::string("T") : std::string("<nav>");
  });
  EXPECT_EQ(filled.body, "aTb<nav>cT");
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(filled.status, 200);
  EXPECT_EQ(filled.headers, r.headers);
}

TEST(SplicedPage, RefusesBrokenOrMissingMarkers) {
  http::Response r;
  r.body = "no holes here";
  EXPECT_FALSE(SplicedPage::Cut(r));
  r.body = std::string("a<\x01" "9\x01>b");
  EXPECT_FALSE(SplicedPage::Cut(r));
  r.body = std::string("a<\x01" "0");
  EXPECT_FALSE(SplicedPage::Cut(r));
}

class ListPageCache : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.conn().ExecScript(
        "INSERT INTO users (id, username, email, date_joined, password, show_ids) VALUES "
        "(1, 'maria', 'm@example.com', 0, 'pbkdf2_sha256$1$s$h1', 1),"
        "(2, 'bob', 'b@example.com', 0, 'pbkdf2_sha256$1$s$h2', 0),"
        "(3, 'carol<&>', 'c@example.com', 0, 'pbkdf2_sha256$1$s$h3', 0);"
        "UPDATE users SET items_per_page = 2 WHERE id = 2;"
        "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
        "(1, 'proj', 'Project \"P\"', 'proj.example.com', 'proj@example.com');"
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);"
        "INSERT INTO people (id, email, name, user_id) VALUES (1, 'a@example.com', 'Ann <a>', 2),"
        "(2, 'z@example.com', NULL, NULL);"
        "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
        "(1, 1, 'S & T', 0, 1, 1, 3);");
    for (int i = 1; i <= 7; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, "
                "series_id, delegate_id, headers, content, diff) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, 1, ?7, "
                "'Subject: x', 'body', '+a')",
                i, "<m" + std::to_string(i) + "@h>", "patch <" + std::to_string(i) + "> & 'q'",
                int64_t{1000000} * i, 1 + i % 2, 1 + i % 3, i % 2 ? std::optional<int64_t>(1) : std::nullopt)
          .Run();
      db::Query(db_.conn(), "INSERT INTO checks (patch_id, user_id, date, state, context) VALUES (?1, 1, 0, ?2, 'ci')",
                i, i % 4)
          .Run();
      db::Query(db_.conn(), "INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (?1, 1, ?1)", i).Run();
    }
    // Comments on patch 1 (maria's to edit) and 2 (bob's): bob wrote some.
    for (int i = 0; i < 6; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patch_comments (patch_id, msgid, date, submitter_id, content, addressed) "
                "VALUES (?1, ?2, ?3, ?4, 'Acked-by: Ann <a@example.com>\n> quoted & \"q\"', ?5)",
                1 + i % 2, "<c" + std::to_string(i) + "@h>", int64_t{i}, 1 + i % 3 % 2,
                i % 3 == 0 ? std::optional<int64_t>() : std::optional<int64_t>(i % 3 - 1))
          .Run();
    }
    service::CreateEmptyBundle(db_.conn(), 1, 1, "b<1>", false);
    Bump();
    conn_ = db::Open(db_.url());
    kept_.list_pages = std::make_shared<SplicedPageCache>();
    for (db::Id id : {1, 2, 3}) {
      cookies_.push_back("csrftoken=" + std::string(kCsrfSecret) + "; sessionid=" +
                         service::StartSession(db_.conn(), *db::read::UserById(db_.conn(), id)).key);
    }
    cookies_.push_back("");  // anonymous
  }
  void Bump() { db_.conn().ExecScript("UPDATE data_generation SET generation = generation + 1"); }

  http::Request Request(const std::string& method, const std::string& target, const std::string& cookie) {
    http::Request r = pb::testing::TestRequest(method, target);
    if (!cookie.empty()) r.headers.emplace_back("cookie", cookie);
    return r;
  }

  // What the site answers (web/site.cc): the page and its cookies.
  http::Response Send(PageState& st, const http::Request& r, int64_t* statements = nullptr) {
    int64_t before = conn_->statements_executed();
    Visitor v(*conn_, r);
    auto page = HandlePage(*conn_, st, v, r);
    EXPECT_TRUE(page && page->status == 200) << r.target;
    if (!page) return {};
    v.AddCookies(*page);
    if (statements) *statements = conn_->statements_executed() - before;
    return std::move(*page);
  }

  // The masked CSRF tokens differ per render: each is replaced by its secret.
  static std::string Unmasked(const std::string& body) {
    static const std::regex token("name=\"csrfmiddlewaretoken\" value=\"([A-Za-z0-9]{64})\"");
    std::string out;
    auto it = std::sregex_iterator(body.begin(), body.end(), token);
    size_t from = 0;
    for (; it != std::sregex_iterator(); ++it) {
      auto secret = api::csrf::SecretOf(it->str(1));
      EXPECT_TRUE(secret);
      out += body.substr(from, static_cast<size_t>(it->position(1)) - from) + "secret:" + secret.value_or("?");
      from = static_cast<size_t>(it->position(1) + it->length(1));
    }
    return out + body.substr(from);
  }

  // The headers, cookie expiry times (a second apart) left out.
  static std::vector<std::pair<std::string, std::string>> Headers(const http::Response& r) {
    static const std::regex expires("expires=[^;]*; ");
    auto out = r.headers;
    for (auto& [name, value] : out) value = std::regex_replace(value, expires, "");
    return out;
  }

  // Every visitor sees the same page, kept or rendered, first time and
  // again; the second kept request costs fewer statements than a render.
  void ExpectSamePages(const std::string& when) {
    const std::vector<std::string> targets = {
        "/project/proj/patch/m1@h/", "/project/proj/patch/m2@h/", "/project/proj/patch/m3@h/",
        "/project/proj/list/",           "/project/proj/list/?page=2",
        "/project/proj/list/?page=99",   "/project/proj/list/?order=submitter",
        "/project/proj/list/?order=-name", "/project/proj/list/?state=*&q=patch",
        "/project/proj/list/?submitter=1&state=*", "/project/proj/list/?delegate=maria&archive=both"};
    const char* visitors[] = {"maria", "bob", "carol", "anonymous"};
    for (size_t i = 0; i < cookies_.size(); ++i) {
      const std::string& cookie = cookies_[i];
      for (const auto& target : targets) {
        SCOPED_TRACE(when + " " + target + " as " + visitors[i]);
        auto req = Request("GET", target, cookie);
        int64_t render_cost = 0, kept_cost = 0;
        auto rendered = Send(rendered_, req, &render_cost);
        auto first = Send(kept_, req);
        auto again = Send(kept_, req, &kept_cost);
        EXPECT_EQ(Headers(rendered), Headers(first));
        EXPECT_EQ(Headers(rendered), Headers(again));
        std::string expected = Unmasked(rendered.body);
        EXPECT_EQ(expected, Unmasked(first.body));
        EXPECT_EQ(expected, Unmasked(again.body));
        EXPECT_EQ(again.body.find("<\x01"), std::string::npos);
        EXPECT_LT(kept_cost, render_cost);
      }
    }
  }

  testing::TempDb db_;
  std::unique_ptr<db::Connection> conn_;
  PageState rendered_;  // no cache: every request renders
  PageState kept_;
  std::vector<std::string> cookies_;  // maria (maintainer), bob, carol, anonymous
};

TEST_F(ListPageCache, KeptPageEqualsTheRenderedOne) {
  ExpectSamePages("initially");
  // The pages differ by visitor where they should.
  auto maria = Send(kept_, Request("GET", "/project/proj/list/", cookies_[0])).body;
  auto bob = Send(kept_, Request("GET", "/project/proj/list/", cookies_[1])).body;
  auto anonymous = Send(kept_, Request("GET", "/project/proj/list/", cookies_[3])).body;
  EXPECT_NE(maria.find("b&lt;1&gt;"), std::string::npos);  // her bundle
  EXPECT_EQ(bob.find("b&lt;1&gt;"), std::string::npos);
  EXPECT_NE(maria.find("<strong>maria</strong>"), std::string::npos);
  EXPECT_NE(bob.find("<strong>bob</strong>"), std::string::npos);
  EXPECT_NE(maria.find("<th class=\"id\">ID</th>"), std::string::npos);  // show_ids
  EXPECT_EQ(anonymous.find("csrfmiddlewaretoken"), std::string::npos);
}

TEST_F(ListPageCache, KeptPageFollowsWrites) {
  ExpectSamePages("initially");
  // Bob changes patch 2 (his own) through the list's bulk form.
  auto post = Request("POST", "/project/proj/list/", cookies_[1]);
  post.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  post.body = std::string("csrfmiddlewaretoken=") + kCsrfSecret +
              "&form=patchlistform&action=Update&state=3&delegate=*&archived=*&patch_id:2=on";
  auto answer = Send(kept_, post);
  EXPECT_NE(answer.body.find("1 patch updated"), std::string::npos);
  ExpectSamePages("after a bulk update");

  service::CreateEmptyBundle(db_.conn(), 2, 1, "bob's", false);
  ExpectSamePages("after a new bundle");

  db::UserChanges prefs;
  prefs.items_per_page = 3;
  prefs.show_ids = true;
  ASSERT_TRUE(service::UpdateUser(db_.conn(), 2, prefs).ok());
  ExpectSamePages("after new list settings");

  db_.conn().ExecScript("UPDATE patches SET delegate_id = 1 WHERE id IN (2, 4)");
  Bump();
  ExpectSamePages("after a delegation");

  // Maria marks a comment addressed on the patch page.
  auto mark = Request("POST", "/project/proj/patch/m1@h/", cookies_[0]);
  mark.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  mark.body = std::string("csrfmiddlewaretoken=") + kCsrfSecret +
              "&action=comment-addressed&comment_id=1&addressed=true";
  EXPECT_NE(Send(kept_, mark).body.find("Comment marked addressed"), std::string::npos);
  ExpectSamePages("after a comment was marked");
}

}  // namespace
}  // namespace pb::web
