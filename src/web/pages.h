// The HTML pages: project list, patch list, patch and cover pages. Plain
// server-rendered HTML (kainjow mustache) and CSS; no JavaScript needed.
// The account pages (login, profile) are in account.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/response_cache.h"
#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/page_ids.h"
#include "db/read/web_read.h"
#include "http/server.h"
#include "web/spliced_page.h"
#include "web/visitor.h"

namespace pb::web {

// Per-thread state of the page handlers. `counts` and `page_ids` may be
// shared by the server's threads (see MakeSiteHandler).
struct PageState {
  db::read::Catalog catalog;
  db::read::CountCache counts;
  std::shared_ptr<db::read::OrderedIdCache> page_ids;  // null: deep pages walk OFFSET
  // Lists sorted by a joined column (submitter name, delegate, state) sort
  // every row they match: their ordered ids are kept from the first page.
  std::shared_ptr<db::read::OrderedIdCache> sorted_ids;
  // Anonymous list pages kept per generation, as the API's lists (null:
  // serve --no-response-cache).
  std::shared_ptr<api::ResponseCache> responses;
  // Project list pages kept per generation with holes for the visitor's
  // parts, so logged-in visitors are served without a render (null: serve
  // --no-response-cache).
  std::shared_ptr<SplicedPageCache> list_pages;
  std::string base_url;  // serve --base-url: the origin CSRF checks and .pwclientrc use

  // The tags and which projects use them, reloaded when the generation moves.
  std::vector<db::read::TagRec> tags;
  std::vector<db::Id> tag_projects;
  int64_t tags_generation = -1;
  void RefreshTags(db::Connection& c, int64_t generation);
  bool TagsShown(db::Id project_id) const;
};

// nullopt when the path is not a page URL.
std::optional<http::Response> HandlePage(db::Connection& conn, PageState& state, Visitor& visitor,
                                         const http::Request& req);

// A page in the site layout (navbar with the visitor's login state, the
// project's links, footer) around an already rendered body.
http::Response LayoutPage(Visitor& visitor, const std::string& title,
                          const db::read::ProjectRec* project, std::string body, int status = 200);
// The same with the navbar's account links given (AccountNav's, or the
// marker of a page to be kept: web/spliced_page.h).
http::Response LayoutPageWithNav(std::string account_nav, const std::string& title,
                                 const db::read::ProjectRec* project, std::string body, int status = 200);
// The navbar's account links for the visitor (templates::kAccountNav).
std::string AccountNav(Visitor& visitor);

// The parts of a page that differ per visitor (web/spliced_page.h's
// holes): their HTML for this visitor, or the markers of a page to keep.
struct VisitorParts {
  std::string account_nav;
  std::string csrf_token;     // only used for logged-in visitors
  std::string bundle_choice;  // likewise
  static VisitorParts Markers();
};

// The "Add to bundle" choice of `user`'s bundles in `project`, rendered
// with `tmpl` (the list's form or the patch page's). A bundle's own page
// passes its id as `except`: adding a bundle's patches to itself is no
// choice (upstream's bundle page offers no "Add" at all; other bundles
// stay on offer here, to copy patches from one bundle to another).
std::string BundleChoice(db::Connection& c, db::Id user, db::Id project, const char* tmpl,
                         std::optional<db::Id> except = std::nullopt);

// A page kept per generation under `key` in `cache`, filled for this
// visitor by `fill`; rendered with the markers and kept on a miss. When no
// page can be kept (`cache` null, or the render's markers are not whole)
// it is rendered for the visitor alone.
http::Response KeptOrRendered(SplicedPageCache* cache, const std::string& key, int64_t generation,
                              const std::function<std::string(Hole)>& fill, bool logged_in,
                              const std::function<http::Response(const VisitorParts&)>& render);

}  // namespace pb::web
