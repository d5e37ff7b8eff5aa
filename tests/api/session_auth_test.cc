// The web session on the REST API (DRF's SessionAuthentication + Django's
// CSRF check), through the real handler on a temporary database.
#include <gtest/gtest.h>

#include "http_request.h"
#include "api/app.h"
#include "api/cookies.h"
#include "api/csrf.h"
#include "db/connection.h"
#include "service/passwords.h"
#include "service/sessions.h"
#include "test_util.h"

namespace pb::api {
namespace {

const std::string& PasswordHash() {
  static const std::string h = service::HashPassword("pw");
  return h;
}

class SessionAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = db_.conn();
    db::Query(c,
              "INSERT INTO users (id, username, email, password, date_joined) VALUES "
              "(1, 'maint', 'maint@example.com', ?1, 0), (2, 'other', 'other@example.com', ?1, 0)",
              PasswordHash())
        .Run();
    c.ExecScript(
        "INSERT INTO tokens (key, user_id, created) VALUES ('tok1', 1, 0);"
        "INSERT INTO projects (id, linkname, name, listid, listemail) "
        "VALUES (1, 'proj', 'Project', 'proj.example.com', 'proj@example.com');"
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);"
        "INSERT INTO people (id, email, name) VALUES (1, 'a@example.com', 'A');"
        "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, headers, "
        "content) VALUES (1, 1, '<m1@x>', 'p1', 0, 1, 1, 'Subject: x', 'body');");
    auto s = service::LogIn(c, "maint", "pw");
    ASSERT_TRUE(s.ok());
    session_ = s->key;
    csrf_secret_ = "abcdefghijklmnopqrstuvwxyzABCDEF";
    state_.conn = db::Open(db_.url());
    config_.database_url = db_.url();
  }

  http::Response Send(const std::string& method, const std::string& target,
                      std::vector<std::pair<std::string, std::string>> headers,
                      const std::string& body = "") {
    http::Request r = pb::testing::TestRequest(method, target);
    for (auto& h : headers) r.headers.push_back(std::move(h));
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
    return HandleApiRequest(state_, config_, r);
  }
  std::string Cookies() const { return "sessionid=" + session_ + "; csrftoken=" + csrf_secret_; }
  http::Response PatchState(std::vector<std::pair<std::string, std::string>> headers) {
    return Send("PATCH", "/api/patches/1/", std::move(headers), "{\"state\":\"accepted\"}");
  }
  static std::string Header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  testing::TempDb db_;
  ThreadState state_;
  ApiConfig config_;
  std::string session_, csrf_secret_;
};

TEST_F(SessionAuthTest, SessionCookieAuthenticatesReads) {
  EXPECT_EQ(Send("GET", "/api/users/", {}).status, 403);
  auto r = Send("GET", "/api/users/", {{"cookie", "sessionid=" + session_}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Header(r, "Set-Cookie"), "");
}

TEST_F(SessionAuthTest, UnsafeMethodsNeedTheCsrfToken) {
  EXPECT_EQ(PatchState({{"cookie", "sessionid=" + session_}}).body,
            "{\"detail\":\"CSRF Failed: CSRF cookie not set.\"}");
  auto missing = PatchState({{"cookie", Cookies()}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.body, "{\"detail\":\"CSRF Failed: CSRF token missing.\"}");
  EXPECT_EQ(PatchState({{"cookie", Cookies()}, {"x-csrftoken", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"}}).body,
            "{\"detail\":\"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.\"}");
  EXPECT_EQ(PatchState({{"cookie", Cookies()}, {"x-csrftoken", "short"}}).body,
            "{\"detail\":\"CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header has "
            "incorrect length.\"}");
  EXPECT_EQ(PatchState({{"cookie", "sessionid=" + session_ + "; csrftoken=bad!"},
                        {"x-csrftoken", csrf_secret_}})
                .body,
            "{\"detail\":\"CSRF Failed: CSRF cookie has incorrect length.\"}");
  EXPECT_EQ(PatchState({{"cookie", Cookies()}, {"x-csrftoken", csrf_secret_}, {"origin", "http://evil"}}).body,
            "{\"detail\":\"CSRF Failed: Origin checking failed - http://evil does not match any "
            "trusted origins.\"}");
  // The plain secret and a masked token (as pages embed it) both pass.
  auto plain = PatchState({{"cookie", Cookies()}, {"x-csrftoken", csrf_secret_}, {"origin", "http://h:1"}});
  EXPECT_EQ(plain.status, 200) << plain.body;
  http::Request page;
  page.headers.emplace_back("cookie", "csrftoken=" + csrf_secret_);
  std::string masked = csrf::ForPage(page).token;
  ASSERT_EQ(masked.size(), 64u);
  EXPECT_EQ(PatchState({{"cookie", Cookies()}, {"x-csrftoken", masked}}).status, 200);
}

TEST_F(SessionAuthTest, SessionComesBeforeTokenAsInUpstreamsOrder) {
  // A live session wins over a bad Authorization header...
  EXPECT_EQ(Send("GET", "/api/users/", {{"cookie", "sessionid=" + session_}, {"authorization", "Token nope"}}).status,
            200);
  // ...and then the CSRF check applies even though a token was sent.
  EXPECT_EQ(PatchState({{"cookie", "sessionid=" + session_}, {"authorization", "Token tok1"}}).status, 403);
  // Token alone is exempt from CSRF.
  EXPECT_EQ(PatchState({{"authorization", "Token tok1"}}).status, 200);
}

TEST_F(SessionAuthTest, StaleSessionCookieIsDeletedAndRequestIsAnonymous) {
  auto r = Send("GET", "/api/users/", {{"cookie", "sessionid=nosuchsession0000000000000000000"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Header(r, "Set-Cookie"), DeleteCookieValue("sessionid"));
  // A stale session falls through to the Authorization header.
  r = Send("GET", "/api/users/",
           {{"cookie", "sessionid=nosuchsession0000000000000000000"}, {"authorization", "Token tok1"}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(SessionAuthTest, RequestsWithoutSessionCookieCostNoExtraStatements) {
  auto measure = [&](std::vector<std::pair<std::string, std::string>> headers) {
    Send("GET", "/api/patches/1/", headers);  // warm caches
    int64_t before = state_.conn->statements_executed();
    EXPECT_EQ(Send("GET", "/api/patches/1/", headers).status, 200);
    return state_.conn->statements_executed() - before;
  };
  int64_t none = measure({});
  EXPECT_EQ(measure({{"cookie", "csrftoken=" + csrf_secret_}}), none);
  EXPECT_GT(measure({{"cookie", "sessionid=" + session_}}), none);
}

TEST_F(SessionAuthTest, BrowsablePageShowsLoginStateFormsAndCsrfToken) {
  auto anon = Send("GET", "/api/patches/1/?format=api", {});
  ASSERT_EQ(anon.status, 200);
  EXPECT_NE(anon.body.find("<a href=\"/user/login/?next=/api/patches/1/\">Log in</a>"), std::string::npos);
  EXPECT_EQ(anon.body.find("raw-form"), std::string::npos);
  // Like DRF's page, it sets the CSRF cookie for everyone.
  EXPECT_EQ(Header(anon, "Set-Cookie").rfind("csrftoken=", 0), 0u);

  auto mine = Send("GET", "/api/patches/1/?format=api", {{"cookie", Cookies()}});
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("<span class=\"username\">maint</span>"), std::string::npos);
  EXPECT_NE(mine.body.find("action=\"/user/logout/?next=/api/patches/1/\""), std::string::npos);
  EXPECT_NE(mine.body.find("data-method=\"PUT\" class=\"raw-form\""), std::string::npos);
  size_t at = mine.body.find("csrfToken: \"");
  ASSERT_NE(at, std::string::npos);
  std::string token = mine.body.substr(at + 12, 64);
  EXPECT_EQ(csrf::SecretOf(token), csrf_secret_);
  EXPECT_EQ(Header(mine, "Set-Cookie").rfind("csrftoken=" + csrf_secret_ + ";", 0), 0u);

  // Another user may not edit the patch: no form.
  auto s = service::LogIn(db_.conn(), "other", "pw");
  ASSERT_TRUE(s.ok());
  auto theirs = Send("GET", "/api/patches/1/?format=api", {{"cookie", "sessionid=" + s->key}});
  EXPECT_NE(theirs.body.find("<span class=\"username\">other</span>"), std::string::npos);
  EXPECT_EQ(theirs.body.find("raw-form"), std::string::npos);
}

TEST(Cookies, ParsedAsDjangoDoes) {
  EXPECT_EQ(FindCookie("a=1; sessionid=abc; b=2", "sessionid"), "abc");
  EXPECT_EQ(FindCookie("sessionid=first;sessionid=last", "sessionid"), "last");
  EXPECT_EQ(FindCookie("  sessionid = spaced ", "sessionid"), "spaced");
  EXPECT_EQ(FindCookie("x=\"quo\\\"ted\\073\"", "x"), "quo\"ted;");
  EXPECT_EQ(FindCookie("sessionid", "sessionid"), std::nullopt);  // a value with an empty name
  EXPECT_EQ(FindCookie("xsessionid=1", "sessionid"), std::nullopt);
  EXPECT_EQ(FindCookie("", "sessionid"), std::nullopt);
}

TEST(Cookies, SetCookieLikeDjango) {
  Micros t = 1'700'000'000'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(HttpDate(t), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(SetCookieValue("sessionid", "k", 1209600, true, t),
            "sessionid=k; expires=Tue, 28 Nov 2023 22:13:20 GMT; HttpOnly; Max-Age=1209600; Path=/; "
            "SameSite=Lax");
  EXPECT_EQ(SetCookieValue("csrftoken", "s", 31449600, false, t),
            "csrftoken=s; expires=Tue, 12 Nov 2024 22:13:20 GMT; Max-Age=31449600; Path=/; SameSite=Lax");
}

TEST(Csrf, MaskedTokensUnmaskToTheSecret) {
  http::Request r;
  r.headers.emplace_back("cookie", "csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF");
  auto a = csrf::ForPage(r), b = csrf::ForPage(r);
  EXPECT_NE(a.token, b.token);  // a fresh mask every time
  EXPECT_EQ(csrf::SecretOf(a.token), "abcdefghijklmnopqrstuvwxyzABCDEF");
  EXPECT_EQ(csrf::SecretOf(b.token), "abcdefghijklmnopqrstuvwxyzABCDEF");
  // A request without a usable cookie gets a new secret.
  http::Request none;
  auto fresh = csrf::ForPage(none);
  auto secret = csrf::SecretOf(fresh.token);
  ASSERT_TRUE(secret);
  EXPECT_EQ(fresh.set_cookie.rfind("csrftoken=" + *secret + "; expires=", 0), 0u);
  EXPECT_EQ(csrf::SecretOf("has-bad-characters-has-bad-chars"), std::nullopt);
}

TEST(Csrf, FormFieldIsCheckedBeforeTheHeader) {
  http::Request r;
  r.method = "POST";
  r.headers = {{"host", "h"}, {"cookie", "csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF"},
               {"x-csrftoken", "abcdefghijklmnopqrstuvwxyzABCDEF"}};
  EXPECT_EQ(csrf::Check(r, "", ""), std::nullopt);
  EXPECT_EQ(csrf::Check(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", ""), "CSRF token from POST incorrect.");
  r.headers.emplace_back("origin", "https://pw.example.org");
  EXPECT_NE(csrf::Check(r, "", ""), std::nullopt);
  EXPECT_EQ(csrf::Check(r, "", "https://pw.example.org/"), std::nullopt);  // --base-url is trusted
}

}  // namespace
}  // namespace pb::api
