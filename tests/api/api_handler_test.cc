// End-to-end tests of the API handler on a temporary SQLite database filled
// with plain SQL: version gating, error bodies, auth, statement counts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http_request.h"
#include "api/app.h"
#include "db/connection.h"
#include "db/read/embed_cache.h"
#include "db/read/page_ids.h"
#include "test_util.h"

namespace pb::api {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& c = db_.conn();
    c.ExecScript(
        "INSERT INTO users (id, username, first_name, last_name, email, date_joined) VALUES "
        "(1, 'admin', 'Ada', 'Admin', 'admin@example.com', 0);"
        "INSERT INTO tokens (key, user_id, created) VALUES ('tok1', 1, 0);"
        "INSERT INTO projects (id, linkname, name, listid, listemail, list_archive_url_format) "
        "VALUES (1, 'proj', 'Project', 'proj.example.com', 'proj@example.com', "
        "'https://lore/{}/');"
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (1, 1);"
        "INSERT INTO people (id, email, name) VALUES (1, 'a@example.com', 'Änne');"
        "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
        "(1, 1, 'S', 0, 1, 2, 3);"
        "INSERT INTO patch_relations (id) VALUES (1);");
    state_.conn = db::Open(db_.url());
    config_.database_url = db_.url();
  }

  void AddPatches(int from, int to) {
    for (int i = from; i <= to; ++i) {
      db::Query(db_.conn(),
                "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, state_id, "
                "series_id, related_id, headers, content) VALUES (?1, 1, ?2, ?3, ?4, 1, 1, ?5, ?6, "
                "'Subject: x\nTo: a\nto: b', 'body')",
                i, "<m" + std::to_string(i) + "/x@h>", "[v2,1/3] patch " + std::to_string(i),
                int64_t{1000000} * i, i % 2 ? std::optional<int64_t>(1) : std::nullopt,
                i <= 3 ? std::optional<int64_t>(1) : std::nullopt)
          .Run();
      db::Query(db_.conn(),
                "INSERT INTO checks (patch_id, user_id, date, state, context) VALUES (?1, 1, 0, ?2, 'ci')",
                i, i % 4)
          .Run();
    }
    db_.conn().ExecScript("UPDATE data_generation SET generation = generation + 1");
  }

  http::Response Get(const std::string& target, const std::string& auth = "",
                     const std::string& method = "GET", const std::string& json_body = "") {
    http::Request r = pb::testing::TestRequest(method, target);
    if (!json_body.empty()) {
      r.headers.emplace_back("content-type", "application/json");
      r.body = json_body;
    }
    if (!auth.empty()) r.headers.emplace_back("authorization", auth);
    return HandleApiRequest(state_, config_, r);
  }

  // For each of `writes` (by another connection, each a new generation):
  // every target, asked three times (after the write, then from what the
  // first answers kept), answers as a fresh server does; on PostgreSQL the
  // second and third rounds take one statement per target.
  void ExpectFreshAfterEachWrite(const std::vector<std::string>& writes,
                                 const std::vector<std::string>& targets) {
    const bool pg = db_.conn().dialect() == db::Dialect::kPostgres;
    for (const auto& w : writes) {
      for (const auto& t : targets) Get(t);
      db_.conn().ExecScript(w + "; UPDATE data_generation SET generation = generation + 1");
      for (int i = 0; i < 3; ++i) {
        int64_t before = state_.conn->statements_executed();
        for (const auto& t : targets) {
          auto r = Get(t);
          ThreadState fresh;
          fresh.conn = db::Open(db_.url());
          auto want = HandleApiRequest(fresh, config_, pb::testing::TestRequest("GET", t));
          EXPECT_EQ(r.status, want.status) << w << ' ' << t;
          EXPECT_EQ(r.body, want.body) << w << ' ' << t;
        }
        if (pg && i > 0) {
          EXPECT_EQ(state_.conn->statements_executed() - before, static_cast<int64_t>(targets.size())) << w;
        }
      }
    }
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
};

TEST_F(ApiTest, PatchDetailShapesPerVersion) {
  AddPatches(1, 3);
  auto r = Get("/api/patches/1/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"web_url\":\"http://h:1/project/proj/patch/m1%252Fx@h/\""), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"list_archive_url\":\"https://lore/m1/x@h/\""), std::string::npos);
  EXPECT_NE(r.body.find("\"headers\":{\"Subject\":\"x\",\"To\":[\"a\",\"b\"],\"to\":[\"a\",\"b\"]}"),
            std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"name\":\"Änne\""), std::string::npos);
  EXPECT_NE(r.body.find("\"check\":\"success\""), std::string::npos);
  // Related: patches 2 and 3 share relation 1 with patch 1, ordered by date.
  auto related = r.body.find("\"related\":[{\"id\":2,");
  EXPECT_NE(related, std::string::npos) << r.body;
  EXPECT_NE(r.body.find("{\"id\":3,", related), std::string::npos);
  EXPECT_EQ(Header(r, "Allow"), "GET, PUT, PATCH, HEAD, OPTIONS");

  auto v10 = Get("/api/1.0/patches/1/");
  ASSERT_EQ(v10.status, 200);
  EXPECT_EQ(v10.body.find("\"web_url\":\"http://h:1/project/"), std::string::npos);
  EXPECT_EQ(v10.body.find("\"related\""), std::string::npos);
  EXPECT_EQ(v10.body.find("\"comments\""), std::string::npos);
  EXPECT_NE(v10.body.find("\"url\":\"http://h:1/api/1.0/patches/1/\""), std::string::npos);
  EXPECT_NE(v10.body.find("\"checks\":\"http://h:1/api/patches/1/checks/\""), std::string::npos);
  auto v11 = Get("/api/1.1/patches/1/");
  EXPECT_NE(v11.body.find("\"web_url\""), std::string::npos);
  EXPECT_EQ(v11.body.find("\"list_archive_url\""), std::string::npos);
}

TEST_F(ApiTest, ErrorBodies) {
  AddPatches(1, 1);
  auto r = Get("/api/patches/99/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"detail\":\"Not found.\"}");
  r = Get("/api/people/");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "{\"detail\":\"Authentication credentials were not provided.\"}");
  r = Get("/api/people/", "Token nope");
  EXPECT_EQ(r.body, "{\"detail\":\"Invalid token.\"}");
  r = Get("/api/people/", "Token a b");
  EXPECT_EQ(r.body, "{\"detail\":\"Invalid token header. Token string should not contain spaces.\"}");
  r = Get("/api/people/", "Token tok1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"user\":null"), std::string::npos);
  r = Get("/api/patches/", "", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "{\"detail\":\"Method \\\"POST\\\" not allowed.\"}");
  EXPECT_EQ(Header(r, "Allow"), "GET, HEAD, OPTIONS");
  r = Get("/api/patches/?page=7");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"detail\":\"Invalid page.\"}");
  r = Get("/api/patches/x/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<code>/api/patches/x/</code>"), std::string::npos);
  r = Get("/api/1.0/patches/1/comments/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8");
  r = Get("/api/projects/proj/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"maintainers\":[{\"id\":1,"), std::string::npos);
}

TEST_F(ApiTest, ListFiltersResolveNamesAndIds) {
  AddPatches(1, 6);
  auto count = [&](const std::string& q) {
    auto r = Get("/api/patches/?per_page=100&" + q);
    EXPECT_EQ(r.status, 200) << q;
    int items = 0;  // only top-level patches carry "checks"
    for (size_t p = 0; (p = r.body.find("\"checks\":", p)) != std::string::npos; ++p) ++items;
    return items;
  };
  EXPECT_GT(count("project=PROJ"), 0);
  EXPECT_EQ(count("project=nosuch"), 0);
  EXPECT_EQ(count("series=1"), count("series=1&project=1"));
  EXPECT_EQ(count("series=2"), 0);
  EXPECT_GT(count("submitter=A@EXAMPLE.COM"), 0);
  EXPECT_GT(count("state=New"), 0);
  EXPECT_EQ(count("state=under-review"), 0);
  EXPECT_EQ(count("msgid=m3/x@h"), 1);
  EXPECT_EQ(count("msgid=%3Cm3/x@h%3E"), 0);
  EXPECT_EQ(count(""), 6);
  EXPECT_EQ(count("q=PATCH+5"), count("q=patch,5"));
}

// A list page costs the same number of statements whatever its size.
TEST_F(ApiTest, ListStatementCountIsConstant) {
  AddPatches(1, 2);
  auto measure = [&](const std::string& target) {
    Get(target);  // warm: generation, catalog, count cache
    int64_t before = state_.conn->statements_executed();
    auto r = Get(target);
    EXPECT_EQ(r.status, 200);
    return state_.conn->statements_executed() - before;
  };
  int64_t small = measure("/api/patches/?per_page=250");
  AddPatches(3, 120);
  int64_t large = measure("/api/patches/?per_page=250");
  EXPECT_EQ(small, large);
  EXPECT_LE(large, 5);
  int64_t detail = measure("/api/patches/5/");
  EXPECT_LE(detail, 3);
}

// A list page requested again at the same generation: on PostgreSQL one
// statement (Context::AtCatalogGeneration; shallow pages and deep pages
// from the id cache), with the same status, Link header and body as the
// snapshot path gave; after a write by another connection the page shows
// it (the statement's generation is not the assumed one: the snapshot path
// runs), and the next request is one statement again.
TEST_F(ApiTest, ListPageAtCatalogGenerationIsOneStatementAndCurrent) {
  state_.page_ids = std::make_shared<db::read::OrderedIdCache>(size_t{1} << 20, 4);
  state_.embeds = std::make_shared<db::read::EmbedCache>();
  AddPatches(1, 12);
  auto& c = db_.conn();
  c.ExecScript(
      "INSERT INTO covers (id, project_id, msgid, name, date, submitter_id) VALUES "
      "(1, 1, '<c1@h>', 'cover 1', 5, 1), (2, 1, '<c2@h>', 'cover 2', 6, 1), "
      "(3, 1, '<c3@h>', 'cover 3', 6, 1);"
      "UPDATE patches SET related_id = 1 WHERE id IN (5, 7);"
      "INSERT INTO checks (patch_id, user_id, date, state, context) VALUES (5, 1, 9, 3, 'ci:x y');"
      "UPDATE data_generation SET generation = generation + 1");
  for (int i = 1; i <= 12; ++i) {
    db::Query(c, "INSERT INTO events (project_id, category, date, patch_id) VALUES (1, 'patch-created', ?1, ?2)",
              int64_t{i / 2}, int64_t{i})
        .Run();
  }
  c.ExecScript("UPDATE data_generation SET generation = generation + 1");
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  const std::vector<std::string> targets = {
      "/api/patches/?per_page=3",           "/api/patches/?per_page=3&page=3&order=-date",
      "/api/1.2/patches/?per_page=5&page=2", "/api/patches/?project=proj&state=new&per_page=2&page=4",
      "/api/events/?per_page=3",            "/api/events/?per_page=3&page=3",
      "/api/covers/?per_page=2",            "/api/covers/?per_page=1&page=3&order=-date"};
  std::vector<http::Response> first;
  for (const auto& t : targets) {
    first.push_back(Get(t));  // the snapshot path: counts and deep ids cached
    ASSERT_EQ(first.back().status, 200) << t;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    int64_t before = state_.conn->statements_executed();
    auto r = Get(targets[i]);
    if (pg) {
      EXPECT_EQ(state_.conn->statements_executed() - before, 1) << targets[i];
    }
    EXPECT_EQ(r.status, 200) << targets[i];
    EXPECT_EQ(r.body, first[i].body) << targets[i];
    EXPECT_EQ(Header(r, "Link"), Header(first[i], "Link")) << targets[i];
  }
  // Then, page by page, another connection adds a patch, an event and a
  // cover and renames a patch, after this thread read the page (its
  // catalog, count and ids are of the generation before): the page is
  // then what a fresh server (no catalog, nothing cached) shows.
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    Get(t);
    const int n = 13 + static_cast<int>(i);
    AddPatches(n, n);
    db::Query(c, "UPDATE patches SET name = ?1 WHERE id = ?2", "renamed " + std::to_string(n), n - 7).Run();
    db::Query(c, "INSERT INTO events (project_id, category, date, patch_id) VALUES (1, 'patch-created', ?1, ?2)",
              int64_t{100 + n}, int64_t{n})
        .Run();
    db::Query(c, "INSERT INTO covers (id, project_id, msgid, name, date, submitter_id) VALUES (?1, 1, ?2, 'c', ?3, 1)",
              int64_t{n}, "<c" + std::to_string(n) + "@h>", int64_t{100 + n})
        .Run();
    c.ExecScript("UPDATE data_generation SET generation = generation + 1");
    auto r = Get(t);
    ThreadState fresh;
    fresh.conn = db::Open(db_.url());
    auto want = HandleApiRequest(fresh, config_, pb::testing::TestRequest("GET", t));
    EXPECT_EQ(r.status, want.status) << t;
    EXPECT_EQ(r.body, want.body) << t;
    EXPECT_EQ(Header(r, "Link"), Header(want, "Link")) << t;
    int64_t before = state_.conn->statements_executed();
    EXPECT_EQ(Get(t).body, want.body) << t;
    if (pg) {
      EXPECT_EQ(state_.conn->statements_executed() - before, 1) << t;
    }
  }
}

// PostgreSQL's list pages at the catalog's generation read the records they
// embed (people, delegates, series; an event's actor, patch and cover) and,
// on deep patch pages, their patches' check states (on deep cover pages,
// their covers' series; on deep events pages, their events' created checks)
// from the EmbedCache:
// after another connection changes each of them (a write, so a new
// generation), the page is what a fresh server shows, and a repeated page is
// one statement again.
TEST_F(ApiTest, ListPageEmbedsAreOfTheCurrentGeneration) {
  state_.page_ids = std::make_shared<db::read::OrderedIdCache>(size_t{1} << 20, 4);
  state_.embeds = std::make_shared<db::read::EmbedCache>();
  AddPatches(1, 12);
  auto& c = db_.conn();
  c.ExecScript(
      "INSERT INTO people (id, email, name) VALUES (2, 'b@example.com', 'Bob');"
      "INSERT INTO users (id, username, first_name, last_name, email, date_joined) VALUES "
      "(2, 'del', 'Dee', 'Legate', 'del@example.com', 0);"
      "UPDATE patches SET submitter_id = 2 WHERE id IN (2, 9);"
      "UPDATE patches SET delegate_id = 2 WHERE id IN (4, 5, 10);"
      "INSERT INTO covers (id, project_id, msgid, name, date, submitter_id) VALUES "
      "(1, 1, '<c1@h>', 'cover 1', 5, 1), (2, 1, '<c2@h>', 'cover 2', 6, 2), "
      "(3, 1, '<c3@h>', 'cover 3', 7, 2), (4, 1, '<c4@h>', 'cover 4', 8, 1), "
      "(5, 1, '<c5@h>', 'cover 5', 9, 2), (6, 1, '<c6@h>', 'cover 6', 10, 1);"
      "INSERT INTO events (project_id, category, date, patch_id, series_id, cover_id, actor_id, "
      "previous_delegate_id, current_delegate_id) VALUES "
      "(1, 'patch-created', 1, 2, NULL, NULL, NULL, NULL, NULL),"
      "(1, 'patch-delegated', 2, 9, NULL, NULL, 1, NULL, 2),"
      "(1, 'patch-delegated', 3, 4, NULL, NULL, 2, 2, 1),"
      "(1, 'series-created', 4, NULL, 1, NULL, NULL, NULL, NULL),"
      "(1, 'cover-created', 5, NULL, NULL, 2, NULL, NULL, NULL),"
      "(1, 'series-completed', 6, NULL, 1, NULL, 1, NULL, NULL),"
      "(1, 'patch-created', 7, 5, NULL, NULL, NULL, NULL, NULL),"
      "(1, 'cover-created', 8, NULL, NULL, 3, NULL, NULL, NULL);"
      "UPDATE data_generation SET generation = generation + 1");
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  const std::vector<std::string> targets = {
      "/api/patches/?per_page=4", "/api/patches/?per_page=3&page=3&order=-date",
      "/api/patches/?per_page=2&page=2",
      "/api/patches/?per_page=2&page=4",
      "/api/events/?per_page=3",  "/api/events/?per_page=2&page=3",
      "/api/events/?per_page=3&page=3", "/api/events/?per_page=1&page=8",
      "/api/covers/?per_page=2",  "/api/covers/?per_page=1&page=3",
      "/api/covers/?per_page=1&page=5", "/api/covers/?per_page=2&page=3"};
  const std::vector<std::string> writes = {
      "UPDATE people SET name = 'Renamed', email = 'r@example.com' WHERE id = 2",
      "UPDATE people SET name = NULL WHERE id = 1",
      "UPDATE users SET username = 'deleg', first_name = 'D', email = 'd@example.com' WHERE id = 2",
      "UPDATE series SET name = 'T', version = 3 WHERE id = 1",
      "UPDATE patches SET delegate_id = NULL, series_id = NULL WHERE id IN (5, 9)",
      "UPDATE patches SET name = 'renamed', msgid = '<r' || id || '@h>' WHERE id IN (2, 4)",
      "UPDATE covers SET name = 'recovered', submitter_id = 1 WHERE id = 3",
      "UPDATE series SET cover_letter_id = 5 WHERE id = 1",  // a deep page's cover's series
      "UPDATE series SET name = 'V', version = 4 WHERE id = 1",
      "UPDATE series SET cover_letter_id = 6 WHERE id = 1",
      "UPDATE series SET cover_letter_id = NULL WHERE id = 1",
      "UPDATE users SET username = 'adm' WHERE id = 1",
      "INSERT INTO checks (patch_id, user_id, date, state, context) SELECT id, 1, 1, 1, 'ci' FROM patches",
      "INSERT INTO checks (patch_id, user_id, date, state, context) SELECT id, 1, 2, 3, 'ci' FROM patches "
      "WHERE id % 2 = 0",
      "UPDATE checks SET state = 2 WHERE patch_id IN (4, 5, 6, 7, 8)",
      // Events with a created check, early enough to be on every deep page.
      "INSERT INTO events (project_id, category, date, patch_id, created_check_id) "
      "SELECT 1, 'check-created', 0, patch_id, id FROM checks WHERE patch_id IN (1, 2, 3)",
      "UPDATE checks SET state = 3, context = 'ci2', target_url = 'https://ci/1' WHERE patch_id IN (1, 3)",
      "DELETE FROM checks WHERE patch_id IN (5, 8)"};
  for (const auto& t : targets) {
    ASSERT_EQ(Get(t).status, 200) << t;  // the snapshot path keeps the embeds
    int64_t before = state_.conn->statements_executed();
    auto again = Get(t);
    if (pg) {
      EXPECT_EQ(state_.conn->statements_executed() - before, 1) << t;
    }
    EXPECT_EQ(again.body, Get(t).body) << t;
  }
  EXPECT_NE(Get(targets[0]).body.find("del@example.com"), std::string::npos);
  EXPECT_NE(Get(targets[5]).body.find("del@example.com"), std::string::npos);
  // The third time a shallow patch page knows its ids (EmbedCache::PageIds)
  // and takes its checks' states from the cache too.
  ExpectFreshAfterEachWrite(writes, targets);
}

// PostgreSQL's series detail in one statement takes the series' patches
// from the EmbedCache when it keeps them at the catalog's generation (the
// statement then leaves them out): after another connection changes the
// series' patches (a write, so a new generation), the detail is what a
// fresh server shows, and a repeated detail is one statement again.
TEST_F(ApiTest, SeriesDetailPatchesAreOfTheCurrentGeneration) {
  state_.embeds = std::make_shared<db::read::EmbedCache>();
  AddPatches(1, 12);  // the odd ones are series 1's
  auto& c = db_.conn();
  c.ExecScript(
      "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
      "(2, 1, 'U', 0, 1, 1, 2);"
      "UPDATE patches SET series_id = 2 WHERE id IN (2, 4);"
      "UPDATE data_generation SET generation = generation + 1");
  const bool pg = c.dialect() == db::Dialect::kPostgres;
  const std::vector<std::string> targets = {"/api/series/1/", "/api/1.0/series/1/", "/api/series/2/"};
  const std::vector<std::string> writes = {
      "UPDATE patches SET name = 'renamed', msgid = '<r' || id || '@h>' WHERE id IN (3, 4)",
      "UPDATE patches SET date = 0 WHERE id = 11",  // first by date now
      "UPDATE patches SET series_id = NULL WHERE id = 5",
      "UPDATE patches SET series_id = 1 WHERE id IN (6, 8)",
      "UPDATE patches SET series_id = 2 WHERE id = 7",
      "DELETE FROM checks WHERE patch_id = 9; DELETE FROM patches WHERE id = 9",
      "UPDATE patches SET series_id = NULL WHERE series_id = 2"};
  for (const auto& t : targets) {
    ASSERT_EQ(Get(t).status, 200) << t;
    Get(t);  // the one statement with the patches keeps them
    int64_t before = state_.conn->statements_executed();
    auto again = Get(t);
    if (pg) {
      EXPECT_EQ(state_.conn->statements_executed() - before, 1) << t;
      EXPECT_TRUE(state_.embeds->KeepsSeriesPatches(state_.catalog.generation(), 1));
    }
    EXPECT_EQ(again.body, Get(t).body) << t;
  }
  ExpectFreshAfterEachWrite(writes, targets);
}

TEST_F(ApiTest, IndexAndProjectsFollowHostAndVersion) {
  auto r = Get("/api/1.2/");
  EXPECT_EQ(r.body.substr(0, 41), "{\"projects\":\"http://h:1/api/1.2/projects/");
  r = Get("/api/1.4/projects/1/");
  EXPECT_NE(r.body.find("\"show_dependencies\":false"), std::string::npos);
  r = Get("/api/projects/");
  EXPECT_EQ(r.body.find("show_dependencies"), std::string::npos);
  EXPECT_EQ(Header(r, "Link"),
            "<http://h:1/api/projects/?page=1>; rel=\"first\", <http://h:1/api/projects/?page=1>; rel=\"last\"");
}

}  // namespace
}  // namespace pb::api

namespace pb::api {
namespace {

// 50,000 characters or ~1,000 terms in `q` made SQLite fail (LIKE pattern too
// long, expression tree too deep): a 500. Now a 400 that says why.
TEST_F(ApiTest, OversizedSearchIsABadRequest) {
  AddPatches(1, 2);
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "t+";  // ~1,000 terms in 2,000 characters
  for (std::string list : {"patches", "covers", "series", "bundles"}) {
    auto r = Get("/api/" + list + "/?q=" + many);
    EXPECT_EQ(r.status, 400) << list << r.body;
    EXPECT_NE(r.body.find("more than 100 terms"), std::string::npos) << r.body;
    r = Get("/api/" + list + "/?q=" + std::string(60000, 'x'));
    EXPECT_EQ(r.status, 400) << list << r.body;
    EXPECT_NE(r.body.find("longer than 4000 characters"), std::string::npos) << r.body;
  }
  auto r = Get("/api/patches/?q=" + std::string(3000, 'x'));
  EXPECT_EQ(r.status, 200) << r.body;
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "p+";
  r = Get("/api/patches/?q=" + hundred);
  EXPECT_EQ(r.status, 200) << r.body;
}

// The database server goes away between a request's reads and its write:
// reads work, and the write's BEGIN throws as a lost PostgreSQL connection
// does.
class LosesServerAtWrite : public db::Connection {
 public:
  explicit LosesServerAtWrite(std::unique_ptr<db::Connection> real) : real_(std::move(real)) {}
  db::Dialect dialect() const override { return real_->dialect(); }
  db::Statement& Prepare(std::string_view sql) override { return real_->Prepare(sql); }
  void ExecScript(std::string_view sql) override { real_->ExecScript(sql); }
  void Begin() override {
    throw db::DbError(db::DbError::Kind::kUnavailable, "server closed the connection unexpectedly");
  }
  void Commit() override { real_->Commit(); }
  void Rollback() override { real_->Rollback(); }
  void BeginRead() override { real_->BeginRead(); }
  void EndRead() override { real_->EndRead(); }
  void SetDurable(bool durable) override { real_->SetDurable(durable); }
  int64_t statements_executed() const override { return real_->statements_executed(); }

 private:
  std::unique_ptr<db::Connection> real_;
};

TEST_F(ApiTest, WebhookWritesAnswer503WhenTheServerIsGone) {
  db_.conn().ExecScript("UPDATE users SET is_superuser = 1 WHERE id = 1");
  auto made = Get("/api/webhooks/", "Token tok1", "POST",
                  R"({"project": "proj", "target_url": "https://ci.example.org/hook"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string hook = "/api/webhooks/" + std::to_string(boost::json::parse(made.body).at("id").as_int64()) + "/";

  state_.conn = std::make_unique<LosesServerAtWrite>(db::Open(db_.url()));
  EXPECT_EQ(Get("/api/webhooks/", "Token tok1").status, 200);  // reads still work
  auto add = Get("/api/webhooks/", "Token tok1", "POST",
                 R"({"project": "proj", "target_url": "https://ci.example.org/other"})");
  EXPECT_EQ(add.status, 503) << add.body;
  EXPECT_EQ(Header(add, "Content-Type"), "application/json");
  EXPECT_TRUE(boost::json::parse(add.body).as_object().contains("detail")) << add.body;

  state_.conn = std::make_unique<LosesServerAtWrite>(db::Open(db_.url()));
  auto remove = Get(hook, "Token tok1", "DELETE");
  EXPECT_EQ(remove.status, 503) << remove.body;
  EXPECT_TRUE(boost::json::parse(remove.body).as_object().contains("detail")) << remove.body;

  state_.conn = std::make_unique<LosesServerAtWrite>(db::Open(db_.url()));
  auto disable = Get(hook, "Token tok1", "PATCH", R"({"active": false})");
  EXPECT_EQ(disable.status, 503) << disable.body;

  // The server is back: the hook is still there, still active.
  state_.conn = db::Open(db_.url());
  auto kept = Get(hook, "Token tok1");
  EXPECT_EQ(kept.status, 200);
  EXPECT_NE(kept.body.find("\"active\":true"), std::string::npos) << kept.body;
}

}  // namespace
}  // namespace pb::api
