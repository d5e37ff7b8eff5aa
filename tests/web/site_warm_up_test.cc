// A server thread's warm-up (web::Site::warm_up, run before the thread
// serves) renders the projects' first list pages, anonymous and as a
// maintainer: it must leave no trace. Pages served by a warmed thread are
// the pages a cold thread serves, the database is not written (no session,
// no generation move), and a database that cannot be opened only defers the
// work to the first request.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>

#include "http_request.h"
#include "db/connection.h"
#include "db/read/users_read.h"
#include "service/sessions.h"
#include "test_util.h"
#include "web/site.h"

namespace pb::web {
namespace {

constexpr const char* kCsrfSecret = "abcdefghijklmnopqrstuvwxyzABCDEF";

class SiteWarmUp : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.conn().ExecScript(
        "INSERT INTO users (id, username, email, date_joined, password) VALUES "
        "(1, 'maria', 'm@example.com', 0, 'pbkdf2_sha256$1$s$h1');"
        "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
        "(1, 'proj', 'Project', 'proj.example.com', 'proj@example.com'),"
        "(2, 'empty', 'Empty', 'empty.example.com', 'empty@example.com');"
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);"
        "INSERT INTO people (id, email, name) VALUES (1, 'a@example.com', 'Ann');");
    for (int i = 1; i <= 5; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, "
                "delegate_id, headers, content, diff) VALUES (?1, 1, ?2, ?3, ?4, 1, 1, 1, "
                "'Subject: x', 'body', '+a')",
                i, "<m" + std::to_string(i) + "@h>", "patch " + std::to_string(i), int64_t{1000000} * i)
          .Run();
    }
    db_.conn().ExecScript("UPDATE data_generation SET generation = generation + 1");
    cookie_ = "csrftoken=" + std::string(kCsrfSecret) + "; sessionid=" +
              service::StartSession(db_.conn(), *db::read::UserById(db_.conn(), 1)).key;
  }

  // Each call runs on a thread of its own: the site's per-thread state
  // (connection, caches) starts empty, as on a server thread.
  template <typename F>
  static void OnFreshThread(F f) {
    std::thread(f).join();
  }

  int64_t Scalar(const std::string& sql) {
    db::Query q(db_.conn(), sql);
    EXPECT_TRUE(q.Next());
    return q.Int(0);
  }

  // The masked CSRF tokens differ per render: compared without them.
  static std::string Unmasked(const std::string& body) {
    static const std::regex token("name=\"csrfmiddlewaretoken\" value=\"[A-Za-z0-9]{64}\"");
    return std::regex_replace(body, token, "name=\"csrfmiddlewaretoken\"");
  }

  testing::TempDb db_;
  std::string cookie_;
};

TEST_F(SiteWarmUp, WarmedThreadServesTheSamePagesAndWritesNothing) {
  api::ApiConfig config;
  config.database_url = db_.url();
  const std::vector<std::string> targets = {"/project/proj/list/", "/project/empty/list/",
                                            "/project/proj/list/?order=-date"};
  auto serve_all = [&](Site& site, bool warm, std::vector<http::Response>& out) {
    OnFreshThread([&] {
      if (warm) site.warm_up();
      for (const auto& target : targets) {
        for (bool logged_in : {false, true}) {
          http::Request r = pb::testing::TestRequest("GET", target);
          if (logged_in) r.headers.emplace_back("cookie", cookie_);
          out.push_back(site.handler(r));
        }
      }
    });
  };
  int64_t sessions = Scalar("SELECT count(*) FROM sessions");
  int64_t generation = Scalar("SELECT generation FROM data_generation");

  // Separate sites: the warmed one's shared caches start empty too.
  Site warmed = MakeSite(config), cold = MakeSite(config);
  std::vector<http::Response> from_warmed, from_cold;
  serve_all(warmed, true, from_warmed);
  serve_all(cold, false, from_cold);

  ASSERT_EQ(from_warmed.size(), from_cold.size());
  for (size_t i = 0; i < from_warmed.size(); ++i) {
    SCOPED_TRACE(targets[i / 2] + (i % 2 ? " logged in" : " anonymous"));
    EXPECT_EQ(from_warmed[i].status, 200);
    EXPECT_EQ(from_warmed[i].status, from_cold[i].status);
    EXPECT_EQ(Unmasked(from_warmed[i].body), Unmasked(from_cold[i].body));
    // The logged-in page is the maintainer's, with the bulk form: the
    // warm-up's pretend login did not leak into it or the anonymous one.
    bool rows = targets[i / 2].starts_with("/project/proj/");
    EXPECT_EQ(from_warmed[i].body.find("name=\"patch_id:") != std::string::npos, rows && i % 2 == 1);
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions"), sessions);
  EXPECT_EQ(Scalar("SELECT generation FROM data_generation"), generation);
}

TEST_F(SiteWarmUp, UnopenableDatabaseLeavesTheWorkToTheFirstRequest) {
  api::ApiConfig config;
  config.database_url = "sqlite:///nonexistent-dir-for-warm-up/x.db";
  Site site = MakeSite(config);
  OnFreshThread([&] {
    EXPECT_NO_THROW(site.warm_up());
    http::Response r = site.handler(pb::testing::TestRequest("GET", "/project/proj/list/"));
    EXPECT_GE(r.status, 500);
  });
}

}  // namespace
}  // namespace pb::web
