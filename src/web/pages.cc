#include "web/pages.h"

#include "api/mustache.h"

#include <charconv>
#include <cstdio>

#include "api/embed.h"
#include "api/filters.h"
#include "core/strings.h"
#include "api/query.h"
#include "api/response.h"
#include "db/pages_store.h"
#include "db/read/patches_read.h"
#include "core/html.h"
#include "web/bundle_pages.h"
#include "web/patch_list.h"
#include "web/responses.h"
#include "web/site_pages.h"
#include "web/submission.h"
#include "web/templates.h"
#include "web/ui_templates.h"

namespace pb::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;
using http::Response;

constexpr int64_t kPageSize = 100;  // DEFAULT_ITEMS_PER_PAGE

Response Html(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"X-Frame-Options", "DENY"},
               {"Vary", "Cookie"}};
  r.body = std::move(body);
  return r;
}

std::string Render(const char* tmpl, const data& d) {
  static thread_local std::unordered_map<const char*, std::unique_ptr<mustache>> compiled;
  auto& m = compiled[tmpl];
  if (!m) m = std::make_unique<mustache>(tmpl);
  return m->render(d);
}

Response Page(Visitor& visitor, const std::string& title, const db::read::ProjectRec* project,
              const char* tmpl, const data& d) {
  return LayoutPage(visitor, title, project, Render(tmpl, d));
}

Response ProjectList(Visitor& visitor, const db::read::Catalog& catalog) {
  data d;
  data list{data::type::list};
  for (const auto& p : catalog.projects()) {
    data row;
    row.set("linkname", p.linkname);
    row.set("name", p.name);
    row.set("listid", p.listid);
    list.push_back(row);
  }
  d.set("has_projects", !catalog.projects().empty());
  d.set("projects", list);
  return Page(visitor, "Projects", nullptr, templates::kProjectList, d);
}

}  // namespace

std::string AccountNav(Visitor& visitor) {
  // Upstream's "logged in" menu or its Login link. Logout is a POST form
  // (Django 5 refuses GET logouts), so it carries a CSRF token.
  data d;
  if (visitor.user()) {
    data account;
    account.set("username", visitor.user()->user.username);
    account.set("csrf_token", visitor.CsrfToken());
    if (int64_t n = visitor.TodoCount()) account.set("todo_count", std::to_string(n));
    d.set("account", account);
  }
  return Render(templates::kAccountNav, d);
}

VisitorParts VisitorParts::Markers() {
  return {std::string(HoleMarker(Hole::kAccountNav)), std::string(HoleMarker(Hole::kCsrfToken)),
          std::string(HoleMarker(Hole::kBundleChoice))};
}

std::string BundleChoice(db::Connection& c, db::Id user, db::Id project, const char* tmpl,
                         std::optional<db::Id> except) {
  data d;
  data bundles{data::type::list};
  auto mine = db::read::BundlesOfOwner(c, user, project);
  std::erase_if(mine, [&](const auto& b) { return except && b.id == *except; });
  for (const auto& b : mine) {
    data o;
    o.set("id", std::to_string(b.id));
    o.set("name", b.name);
    bundles.push_back(o);
  }
  d.set("bundles", bundles);
  d.set("has_bundles", !mine.empty());
  return Render(tmpl, d);
}

http::Response KeptOrRendered(SplicedPageCache* cache, const std::string& key, int64_t generation,
                              const std::function<std::string(Hole)>& fill, bool logged_in,
                              const std::function<http::Response(const VisitorParts&)>& render) {
  if (cache) {
    if (auto kept = cache->Get(key, generation)) return kept->Fill(fill);
    if (auto cut = SplicedPage::Cut(render(VisitorParts::Markers()))) {
      http::Response page = cut->Fill(fill);
      cache->Put(key, generation, std::move(*cut));
      return page;
    }
  }
  VisitorParts parts;
  if (logged_in) {
    parts.csrf_token = fill(Hole::kCsrfToken);
    parts.bundle_choice = fill(Hole::kBundleChoice);
  }
  parts.account_nav = fill(Hole::kAccountNav);
  return render(parts);
}

Response LayoutPage(Visitor& visitor, const std::string& title, const db::read::ProjectRec* project,
                    std::string body, int status) {
  return LayoutPageWithNav(AccountNav(visitor), title, project, std::move(body), status);
}

Response LayoutPageWithNav(std::string account_nav, const std::string& title,
                           const db::read::ProjectRec* project, std::string body, int status) {
  data layout;
  layout.set("title", title);
  if (project) {
    data p;
    p.set("name", project->name);
    p.set("linkname", project->linkname);
    layout.set("project", p);
  }
  layout.set("account_nav", std::move(account_nav));
  layout.set("body", std::move(body));
  return Html(Render(templates::kLayout, layout), status);
}

void PageState::RefreshTags(db::Connection& c, int64_t generation) {
  if (tags_generation == generation) return;
  tags = db::read::ListTags(c);
  tag_projects = db::read::ProjectsUsingTags(c);
  tags_generation = generation;
}

bool PageState::TagsShown(db::Id project_id) const {
  return std::find(tag_projects.begin(), tag_projects.end(), project_id) != tag_projects.end();
}

namespace {

Response StaticFile(const std::string& body, const char* type) {
  Response r;
  r.headers = {{"Content-Type", type}, {"Cache-Control", "max-age=3600"}};
  r.body = body;
  return r;
}

// Which methods a page answers: the pages with forms take POST too.
bool MethodAllowed(const http::Request& req, bool post) {
  return req.method == "GET" || req.method == "HEAD" || (post && req.method == "POST");
}

// A project's pages: /project/P/, list/, bundles/, patch/M/, cover/M/.
std::optional<Response> ProjectPages(db::Connection& c, PageState& st, Visitor& visitor,
                                     const http::Request& req, const std::vector<std::string_view>& seg) {
  const auto* project = st.catalog.ProjectByLinkname(seg[1]);
  auto not_found = [&] { return NotFoundPage(visitor, req.path, project); };
  if (!project) return not_found();
  bool post_page = seg.size() >= 3 && seg[2] != "";
  if (!MethodAllowed(req, post_page && seg[2] != "pwclientrc")) {
    return MethodNotAllowedPage(post_page ? "GET, POST, HEAD" : "GET, HEAD");
  }
  if (seg.size() == 2) return ProjectPage(c, st, visitor, *project);
  if (seg.size() == 3 && seg[2] == "list") {
    ListView view;
    view.project = project;
    view.title = project->name;
    view.head_html = "<h1>" + HtmlEscape(project->name) + " <small>patches</small></h1>";
    return PatchListPage(c, st, visitor, req, std::move(view));
  }
  if (seg.size() == 3 && seg[2] == "bundles") return BundleListPage(c, st, visitor, req, project);
  if (seg.size() == 4 && (seg[2] == "patch" || seg[2] == "cover")) {
    std::string patch_msgid = "<" + ReplaceAll(std::string(seg[3]), "%2F", "/") + ">";
    std::string cover_msgid = "<" + std::string(seg[3]) + ">";
    if (seg[2] == "patch") {
      if (auto id = db::PatchIdByProjectMsgid(c, project->linkname, patch_msgid)) {
        return PatchPage(c, st, visitor, req, *project, *id);
      }
      // A cover's msgid at the patch URL: its page (and the other way round).
      if (db::CoverIdByProjectMsgid(c, project->linkname, cover_msgid)) {
        return RedirectTo("/project/" + api::PathQuote(project->linkname) + "/cover/" +
                          api::PathQuote(std::string(seg[3])) + "/");
      }
      return not_found();
    }
    if (auto id = db::CoverIdByProjectMsgid(c, project->linkname, cover_msgid)) {
      return CoverPage(c, st, visitor, req, *project, *id);
    }
    if (auto id = db::PatchIdByProjectMsgid(c, project->linkname, patch_msgid)) {
      return RedirectTo("/project/" + api::PathQuote(project->linkname) + "/patch/" +
                        api::PathQuote(std::string(seg[3])) + "/");
    }
    return not_found();
  }
  return std::nullopt;
}

std::optional<Response> Route(db::Connection& c, PageState& st, Visitor& visitor,
                              const http::Request& req, std::string_view path) {
  auto seg = PathSegments(path);
  auto get_only = [&]() -> std::optional<Response> {
    if (MethodAllowed(req, false)) return std::nullopt;
    return MethodNotAllowedPage("GET, HEAD");
  };
  if (path == "/") {
    if (auto r = get_only()) return r;
    // Upstream sends a single-project site straight to its list.
    if (st.catalog.projects().size() == 1) {
      return RedirectTo("/project/" + api::PathQuote(st.catalog.projects().front().linkname) + "/list/");
    }
    return ProjectList(visitor, st.catalog);
  }
  if (seg.empty()) return std::nullopt;
  if (seg[0] == "project" && seg.size() >= 2) return ProjectPages(c, st, visitor, req, seg);
  if (path == "/about/") {
    if (auto r = get_only()) return r;
    return AboutPage(c, visitor);
  }
  if (path == "/help/" || path == "/help/about/" || path == "/help/pwclient/") {
    return RedirectTo("/about/", 301);
  }
  if (path == "/submitter/" || path == "/delegate/") {
    if (auto r = get_only()) return r;
    return Autocomplete(c, req, path == "/delegate/");
  }
  if (seg[0] == "comment" && seg.size() == 2) {
    if (auto r = get_only()) return r;
    auto id = ParseId(seg[1]);
    if (!id) return std::nullopt;
    return CommentRedirect(c, visitor, req, *id);
  }
  if (seg[0] == "bundle" && seg.size() == 3) {
    if (!MethodAllowed(req, true)) return MethodNotAllowedPage("GET, POST, HEAD");
    return BundlePage(c, st, visitor, req, seg[1], seg[2]);
  }
  if (seg[0] == "user" && seg.size() >= 2) {
    if (path == "/user/bundles/") {
      if (!MethodAllowed(req, true)) return MethodNotAllowedPage("GET, POST, HEAD");
      return BundleListPage(c, st, visitor, req, nullptr);
    }
    if (path == "/user/todo/") {
      if (auto r = get_only()) return r;
      return TodoListsPage(c, st, visitor, req);
    }
    if (seg[1] == "todo" && seg.size() == 3) {
      if (!MethodAllowed(req, true)) return MethodNotAllowedPage("GET, POST, HEAD");
      const auto* project = st.catalog.ProjectByLinkname(seg[2]);
      if (!project) return NotFoundPage(visitor, req.path, nullptr);
      return TodoListPage(c, st, visitor, req, *project);
    }
    if (seg[1] == "bundle" && (seg.size() == 3 || (seg.size() == 4 && seg[3] == "mbox"))) {
      if (auto r = get_only()) return r;
      auto id = ParseId(seg[2]);
      if (!id) return std::nullopt;
      return OldBundleRedirect(c, visitor, req, *id, seg.size() == 4 ? "mbox" : "");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Response> HandlePage(db::Connection& c, PageState& st, Visitor& visitor,
                                   const http::Request& req) {
  if (req.path == "/static/patchbay.css") {
    static const std::string css = std::string(templates::kStylesheet) + ui_templates::kStylesheet;
    return StaticFile(css, "text/css; charset=utf-8");
  }
  if (req.path == "/static/patchbay.js") {
    static const std::string js = ui_templates::kScript;
    return StaticFile(js, "text/javascript; charset=utf-8");
  }
  std::string decoded = api::PercentDecode(req.path, /*plus_is_space=*/false);
  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  // Anonymous visitors (no Cookie header: no session, no CSRF token in the
  // page) get the same bytes for a list URL until the next write.
  bool cacheable = st.responses && (req.method == "GET" || req.method == "HEAD") &&
                   req.Header("cookie").empty() && decoded.starts_with("/project/") &&
                   decoded.ends_with("/list/");
  if (cacheable) {
    if (auto hit = st.responses->Get(req.target, generation)) return *hit;
  }
  if (auto r = Route(c, st, visitor, req, decoded)) {
    bool sets_cookie = false;
    for (const auto& [name, value] : r->headers) sets_cookie |= name == "Set-Cookie";
    if (cacheable && req.method == "GET" && r->status == 200 && !sets_cookie) {
      st.responses->Put(req.target, generation, *r);
    }
    return r;
  }
  // Django's APPEND_SLASH: a path that matches with a slash added is
  // redirected there (301), the query string kept.
  if (!decoded.ends_with('/')) {
    std::string slashed = decoded + "/";
    auto seg = PathSegments(slashed);
    bool known = slashed == "/about/" || slashed == "/help/" || slashed == "/help/about/" ||
                 slashed == "/help/pwclient/" || slashed == "/submitter/" || slashed == "/delegate/" ||
                 (!seg.empty() && (seg[0] == "project" || seg[0] == "bundle" || seg[0] == "comment" ||
                                   seg[0] == "user" || seg[0] == "patch" || seg[0] == "cover" ||
                                   seg[0] == "series" || seg[0] == "xmlrpc" || seg[0] == "mail" ||
                                   seg[0] == "register" || seg[0] == "confirm"));
    if (known) {
      std::string location = req.path + "/";
      if (!req.query.empty()) location += "?" + req.query;
      return RedirectTo(location, 301);
    }
  }
  return NotFoundPage(visitor, req.path, nullptr);
}

}  // namespace pb::web
