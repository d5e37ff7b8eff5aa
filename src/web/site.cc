#include "web/site.h"

#include <memory>
#include <optional>

#include "api/auth.h"
#include "api/response.h"
#include "db/connection.h"
#include "db/read/catalog.h"
#include "web/account.h"
#include "web/account_flows.h"
#include "web/downloads.h"
#include "web/pages.h"
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

}  // namespace

http::Handler MakeSiteHandler(const api::ApiConfig& config) {
  http::Handler api_handler = api::MakeApiHandler(config);
  std::string url = config.database_url;
  std::string base_url = config.base_url;
  // The patch list pages share their counts and deep-page id lists between
  // threads, as the API's lists do.
  db::read::CountCache counts;
  auto page_ids = std::make_shared<db::read::OrderedIdCache>();
  auto sorted_ids = std::make_shared<db::read::OrderedIdCache>(size_t{4} << 20, /*min_offset=*/0);
  auto responses = config.response_cache ? std::make_shared<api::ResponseCache>() : nullptr;
  auto list_pages = config.response_cache ? std::make_shared<SplicedPageCache>() : nullptr;
  return [api_handler, url, base_url, counts, page_ids, sorted_ids, responses,
          list_pages](const http::Request& req) -> http::Response {
    std::string_view path = req.path;
    if (path == "/api" || path.starts_with("/api/")) return api_handler(req);
    thread_local SiteThread t;
    const bool read = req.method == "GET" || req.method == "HEAD";
    for (int attempt = 1;; ++attempt) try {
      if (!t.conn) {
        t.conn = db::Open(url);
        t.pages.counts = counts;
        t.pages.page_ids = page_ids;
        t.pages.sorted_ids = sorted_ids;
        t.pages.base_url = base_url;
        t.pages.responses = responses;
        t.pages.list_pages = list_pages;
      }
      if (path == "/xmlrpc/") return XmlRpc(t, req);
      std::optional<db::ReadSnapshot> snapshot;
      if (req.method == "GET" || req.method == "HEAD") snapshot.emplace(*t.conn);
      if (responses && req.method == "GET" && IsSeriesMbox(path)) {
        if (auto r = CachedSeriesMbox(t, *responses, req, base_url)) return std::move(*r);
      }
      if (auto r = HandleDownload(*t.conn, t.auth, req, base_url)) return std::move(*r);
      Visitor visitor(*t.conn, req);
      std::optional<http::Response> page = HandleAccountPage(*t.conn, t.pages, visitor, req, base_url);
      if (!page) page = HandleAccountFlowPage(*t.conn, visitor, req, base_url);
      if (!page) page = HandlePage(*t.conn, t.pages, visitor, req);
      if (page) {
        visitor.AddCookies(*page);
        return std::move(*page);
      }
      return api::HtmlNotFound(path);
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
}

}  // namespace pb::web
