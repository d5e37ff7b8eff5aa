#include "web/site.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "api/response.h"
#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/users_read.h"
#include "web/account.h"
#include "web/account_flows.h"
#include "web/downloads.h"
#include "web/pages.h"
#include "web/site_pages.h"
#include "xmlrpc/xmlrpc.h"

namespace pb::web {
namespace {

// Everything outside /api/ shares one connection per server thread.
struct SiteThread {
  std::unique_ptr<db::Connection> conn;
  api::AuthCache auth;
  PageState pages;
};

http::Response XmlRpc(SiteThread& t, const http::Request& req) {
  http::Response r;
  if (req.method == "POST") {
    r.headers = {{"Content-Type", "text/xml"}, {"X-Frame-Options", "DENY"}};
    r.body = xmlrpc::HandleCall(*t.conn, req.body, req.Header("authorization"));
    return r;
  }
  if (req.method == "GET" || req.method == "HEAD") {
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"}};
    r.body = xmlrpc::DocumentationPage();
    return r;
  }
  r.status = 302;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Location", "/"},
               {"X-Frame-Options", "DENY"}};
  return r;
}

// /series/<id>/mbox/: what git-pw and b4 fetch for every series they
// apply, the same bytes for every client until the next write.
bool IsSeriesMbox(std::string_view path) {
  if (!path.starts_with("/series/") || !path.ends_with("/mbox/")) return false;
  std::string_view id = path.substr(8, path.size() - 8 - 6);
  return !id.empty() && id.find_first_not_of("0123456789") == std::string_view::npos;
}

// Served from the response cache of its generation (rendering a 30-patch
// series costs ~40 statements and a 100 KB string), the body shared with
// the cache rather than copied.
std::optional<http::Response> CachedSeriesMbox(SiteThread& t, api::ResponseCache& cache,
                                               const http::Request& req, const std::string& base_url) {
  int64_t generation = db::read::ReadGeneration(*t.conn);
  auto hit = cache.Get(req.target, generation);
  if (!hit) {
    auto r = HandleDownload(*t.conn, t.auth, req, base_url);
    if (r && r->status == 200 && generation >= 0) cache.Put(req.target, generation, *r);
    return r;
  }
  http::Response r;
  r.status = hit->status;
  r.headers = hit->headers;
  r.shared_body = std::shared_ptr<const std::string>(hit, &hit->body);
  return r;
}

// What the site's threads share: the database and the caches of lists and pages.
struct SiteShared {
  std::string url;
  std::string base_url;
  db::read::CountCache counts;
  std::shared_ptr<db::read::OrderedIdCache> page_ids;
  std::shared_ptr<db::read::OrderedIdCache> sorted_ids;
  std::shared_ptr<api::ResponseCache> responses;
  std::shared_ptr<SplicedPageCache> list_pages;
};

SiteThread& ThisThread() {
  thread_local SiteThread t;
  return t;
}

void OpenIfClosed(SiteThread& t, const SiteShared& shared) {
  if (t.conn) return;
  t.conn = db::Open(shared.url);
  t.pages.counts = shared.counts;
  t.pages.page_ids = shared.page_ids;
  t.pages.sorted_ids = shared.sorted_ids;
  t.pages.base_url = shared.base_url;
  t.pages.responses = shared.responses;
  t.pages.list_pages = shared.list_pages;
}

// Projects whose first list page a thread renders before it serves.
constexpr size_t kWarmProjects = 16;

// A thread's first page otherwise pays for what is fresh to it: its
// connection and prepared statements, SQLite's page cache of that
// connection, the compiled templates and the allocator's first spans (a
// first bulk POST cost 5-10x a warm one: docs/performance.md §7). Rendering
// each project's first list page, anonymous and as its maintainer, moves
// that to start-up. The shared caches are set aside meanwhile: a hit would
// leave this thread cold.
void WarmUp(SiteThread& t, const SiteShared& shared) {
  try {
    OpenIfClosed(t, shared);
    struct CachesSetAside {
      PageState& pages;
      std::shared_ptr<api::ResponseCache> responses = std::exchange(pages.responses, nullptr);
      std::shared_ptr<SplicedPageCache> list_pages = std::exchange(pages.list_pages, nullptr);
      ~CachesSetAside() {
        pages.responses = std::move(responses);
        pages.list_pages = std::move(list_pages);
      }
    } set_aside{t.pages};
    db::ReadSnapshot snapshot(*t.conn);
    t.pages.catalog.Refresh(*t.conn, db::read::ReadGeneration(*t.conn));
    struct Warmed {
      std::string linkname;
      std::optional<db::Id> maintainer;
    };
    std::vector<Warmed> projects;
    for (const auto& p : t.pages.catalog.projects()) {
      if (projects.size() == kWarmProjects) break;
      projects.push_back({p.linkname, p.maintainers.empty() ? std::nullopt
                                                            : std::optional(p.maintainers.front().id)});
    }
    for (const auto& project : projects) {
      http::Request req;
      req.method = "GET";
      req.path = req.target = "/project/" + project.linkname + "/list/";
      Visitor anonymous(*t.conn, req);
      HandlePage(*t.conn, t.pages, anonymous, req);
      // A maintainer's page adds the forms and the visitor's reads (list
      // settings, bundles, to-do count): what a bulk POST answers with.
      // Rendered as if logged in; no session is made and nothing is sent.
      auto user = project.maintainer ? db::read::UserById(*t.conn, *project.maintainer) : std::nullopt;
      if (!user) continue;
      Visitor maintainer(*t.conn, req);
      maintainer.LoggedIn("", std::move(*user), 0);
      HandlePage(*t.conn, t.pages, maintainer, req);
    }
  } catch (const std::exception& e) {
    // Not fatal: the thread's first request opens what is missing.
    std::fprintf(stderr, "patchbay: warming a server thread: %s\n", e.what());
  }
}

}  // namespace

Site MakeSite(const api::ApiConfig& config) {
  http::Handler api_handler = api::MakeApiHandler(config);
  auto shared = std::make_shared<SiteShared>();
  shared->url = config.database_url;
  shared->base_url = config.base_url;
  // The patch list pages share their counts and deep-page id lists between
  // threads, as the API's lists do.
  shared->page_ids = std::make_shared<db::read::OrderedIdCache>();
  shared->sorted_ids = std::make_shared<db::read::OrderedIdCache>(size_t{4} << 20, /*min_offset=*/0);
  shared->responses = config.response_cache ? std::make_shared<api::ResponseCache>() : nullptr;
  shared->list_pages = config.response_cache ? std::make_shared<SplicedPageCache>() : nullptr;
  Site site;
  site.warm_up = [shared] { WarmUp(ThisThread(), *shared); };
  site.handler = [api_handler, shared](const http::Request& req) -> http::Response {
    std::string_view path = req.path;
    if (path == "/api" || path.starts_with("/api/")) return api_handler(req);
    SiteThread& t = ThisThread();
    const auto& responses = shared->responses;
    const std::string& base_url = shared->base_url;
    const bool read = req.method == "GET" || req.method == "HEAD";
    for (int attempt = 1;; ++attempt) try {
      OpenIfClosed(t, *shared);
      if (path == "/xmlrpc/") return XmlRpc(t, req);
      std::optional<db::ReadSnapshot> snapshot;
      if (read) snapshot.emplace(*t.conn);
      if (responses && req.method == "GET" && IsSeriesMbox(path)) {
        if (auto r = CachedSeriesMbox(t, *responses, req, base_url)) return std::move(*r);
      }
      if (auto r = HandleDownload(*t.conn, t.auth, req, base_url)) return std::move(*r);
      Visitor visitor(*t.conn, req);
      std::optional<http::Response> page = HandleAccountPage(*t.conn, t.pages, visitor, req, base_url);
      if (!page) page = HandleAccountFlowPage(*t.conn, visitor, req, base_url);
      if (!page) page = HandlePage(*t.conn, t.pages, visitor, req);
      if (!page) page = NotFoundPage(visitor, path, nullptr);
      visitor.AddCookies(*page);
      return std::move(*page);
    } catch (const std::exception& e) {
      auto* d = dynamic_cast<const db::DbError*>(&e);
      if (read && db::RetryableRead(d, attempt)) continue;
      if (d && d->kind() == db::DbError::Kind::kUnavailable) {
        t.conn.reset();  // reopened by the next request
        return api::DatabaseUnavailable(false);
      }
      return api::ServerErrorFor(req, e.what());
    }
  };
  return site;
}

http::Handler MakeSiteHandler(const api::ApiConfig& config) { return MakeSite(config).handler; }

}  // namespace pb::web
