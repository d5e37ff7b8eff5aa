// libFuzzer target: any bytes as the query string of the REST list
// endpoints, through the real API handler (query parsing, every filter,
// search, ordering, pagination and the Link header) onto a small SQLite
// database, so filter values reach the SQL layer as they would in service.
// Built by scripts/fuzz.sh with clang, ASan and UBSan.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "api/app.h"
#include "api/context.h"
#include "api/filters.h"
#include "api/query.h"
#include "db/connection.h"
#include "db/migrations.h"

namespace {

struct World {
  pb::api::ThreadState state;
  pb::api::ApiConfig config;
};

World& TheWorld() {
  static World* w = [] {
    char tmpl[] = "/tmp/patchbay-fuzz-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string url = "sqlite://" + dir + "/fuzz.db";
    auto conn = pb::db::Open(url);
    if (!pb::db::Migrate(*conn).ok()) std::abort();
    conn->ExecScript(
        "INSERT INTO users (id, username, email, date_joined) VALUES (1, 'admin', 'a@example.com', 0);"
        "INSERT INTO projects (id, linkname, name, listid, listemail) VALUES "
        "(1, 'proj', 'Project', 'proj.example.com', 'proj@example.com');"
        "INSERT INTO people (id, email, name) VALUES (1, 'a@example.com', 'Anne');"
        "INSERT INTO series (id, project_id, name, date, submitter_id, version, total) VALUES "
        "(1, 1, 'S', 0, 1, 1, 2);"
        "UPDATE data_generation SET generation = generation + 1;");
    auto* world = new World;
    world->state.conn = pb::db::Open(url);
    world->config.database_url = url;
    world->config.response_cache = false;
    return world;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kLists[] = {"patches", "covers", "series", "events", "checks",
                                       "bundles", "projects", "people", "users", "1.0/patches"};
  std::string query(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The pure parsers first, then the whole view.
  auto params = pb::api::QueryParams::Parse(query);
  (void)pb::api::SearchTerms(params);
  (void)pb::api::SearchLimitError(params);
  (void)pb::api::OrderTerms(params, {"id", "name", "date"});
  (void)pb::api::DateFilter(params, "since");
  (void)params.Rebuilt("page", "2");

  World& w = TheWorld();
  pb::http::Request req;
  req.method = "GET";
  req.path = std::string("/api/") + kLists[data[0] % (sizeof kLists / sizeof *kLists)] + "/";
  req.query = query;
  req.target = req.path + "?" + query;
  req.headers.emplace_back("host", "h:1");
  if (data[0] & 0x80) req.headers.emplace_back("authorization", "Token nope");
  auto res = pb::api::HandleApiRequest(w.state, w.config, req);
  if (res.status >= 500) std::abort();  // a query string must never be a server error
  return 0;
}
