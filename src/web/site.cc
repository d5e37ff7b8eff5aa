#include "web/site.h"

#include <memory>
#include <optional>

#include "api/auth.h"
#include "api/response.h"
#include "db/connection.h"
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
  return [api_handler, url, base_url, counts, page_ids, sorted_ids,
          responses](const http::Request& req) -> http::Response {
    std::string_view path = req.path;
    if (path == "/api" || path.starts_with("/api/")) return api_handler(req);
    thread_local SiteThread t;
    try {
      if (!t.conn) {
        t.conn = db::Open(url);
        t.pages.counts = counts;
        t.pages.page_ids = page_ids;
        t.pages.sorted_ids = sorted_ids;
        t.pages.base_url = base_url;
        t.pages.responses = responses;
      }
      if (path == "/xmlrpc/") return XmlRpc(t, req);
      std::optional<db::ReadSnapshot> snapshot;
      if (req.method == "GET" || req.method == "HEAD") snapshot.emplace(*t.conn);
      if (auto r = HandleDownload(*t.conn, t.auth, req, base_url)) return std::move(*r);
      Visitor visitor(*t.conn, req);
      std::optional<http::Response> page = HandleAccountPage(*t.conn, t.pages, visitor, req, base_url);
      if (!page) page = HandleAccountFlowPage(*t.conn, visitor, req, base_url);
      if (!page) page = HandlePage(*t.conn, t.pages, visitor, req);
      if (page) {
        visitor.AddCookies(*page);
        return std::move(*page);
      }
    } catch (const std::exception&) {
      http::Response r;
      r.status = 500;
      r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
      r.body = "Internal server error\n";
      return r;
    }
    return api::HtmlNotFound(path);
  };
}

}  // namespace pb::web
