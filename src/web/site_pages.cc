#include "web/site_pages.h"

#include <cstdio>

#include "api/embed.h"
#include "api/query.h"
#include "api/response.h"
#include "core/html.h"
#include "db/read/users_read.h"
#include "db/read/web_read.h"
#include "web/patch_list.h"
#include "web/responses.h"
#include "web/ui_templates.h"

namespace pb::web {
namespace {

using http::Response;
using kainjow::mustache::data;

// One UTF-8 code point from s at i (invalid bytes read as U+FFFD).
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

}  // namespace

std::string PyJsonString(std::string_view s) {
  std::string out = "\"";
  char buf[8];
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      out += buf;
    } else {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x", 0xD800 + (cp >> 10));
      out += buf;
      std::snprintf(buf, sizeof buf, "\\u%04x", 0xDC00 + (cp & 0x3FF));
      out += buf;
    }
  }
  return out + "\"";
}

Response ProjectPage(db::Connection& c, PageState& st, Visitor& visitor,
                     const db::read::ProjectRec& project) {
  (void)st;
  data d;
  d.set("name", project.name);
  d.set("linkname", project.linkname);
  d.set("listemail", project.listemail);
  if (!project.list_archive_url.empty()) d.set("list_archive_url", project.list_archive_url);
  data maintainers{data::type::list};
  for (const auto& m : project.maintainers) {
    std::string name = m.first_name;
    if (!m.last_name.empty()) name += (name.empty() ? "" : " ") + m.last_name;
    data row;
    row.set("name", name.empty() ? m.username : name);
    maintainers.push_back(row);
  }
  d.set("maintainers", maintainers);
  d.set("one_maintainer", project.maintainers.size() == 1);
  auto [open, archived] = db::read::ProjectPatchCounts(c, project.id);
  d.set("open", std::to_string(open));
  d.set("archived", std::to_string(archived));
  if (!project.web_url.empty()) d.set("web_url", project.web_url);
  if (!project.webscm_url.empty()) d.set("webscm_url", project.webscm_url);
  if (!project.scm_url.empty()) d.set("scm_url", project.scm_url);
  return LayoutPage(visitor, project.name, &project, RenderTemplate(ui_templates::kProject, d));
}

Response AboutPage(db::Connection& c, Visitor& visitor) {
  data d;
  d.set("version", "patchbay 0.1");
  // Upstream lists settings.ADMINS as "name" linked to mailto:address; the
  // site's administrators here are its active superusers.
  data admins{data::type::list};
  for (const auto& u : db::read::SiteAdmins(c)) {
    std::string name = u.first_name;
    if (!u.last_name.empty()) name += (name.empty() ? "" : " ") + u.last_name;
    data a;
    a.set("name", name.empty() ? u.username : name);
    if (!u.email.empty()) a.set("email", u.email);
    admins.push_back(a);
  }
  d.set("has_admins", !admins.is_empty_list());
  d.set("admins", admins);
  return LayoutPage(visitor, "About", nullptr, RenderTemplate(ui_templates::kAbout, d));
}

Response CommentRedirect(db::Connection& c, Visitor& visitor, const http::Request& req, db::Id comment_id) {
  auto target = db::read::CommentTarget(c, comment_id);
  if (!target) return NotFoundPage(visitor, req.path, nullptr);
  std::string url = target->cover ? api::CoverWebPath(target->linkname, target->msgid)
                                  : api::PatchWebPath(target->linkname, target->msgid);
  return RedirectTo(url + "#" + std::to_string(comment_id));
}

Response Autocomplete(db::Connection& c, const http::Request& req, bool delegates) {
  auto params = api::QueryParams::Parse(req.query);
  const std::string* q = params.Last("q");
  std::string search = q ? *q : "";
  // len(search) counts characters, not bytes.
  size_t chars = 0;
  for (unsigned char ch : search) chars += (ch & 0xC0) != 0x80;
  if (chars < 3) return JsonBody("");
  int64_t limit = 1000000;
  if (const std::string* l = params.Last("l")) {
    if (auto n = api::ParsePyInt(*l); n && *n > 0) limit = *n;
  }
  std::string out = "[";
  if (delegates) {
    for (const auto& u : db::read::UsersMatching(c, search, limit)) {
      if (out.size() > 1) out += ", ";
      out += "{\"pk\": " + std::to_string(u.id) + ", \"name\": " + PyJsonString(u.username) + "}";
    }
  } else {
    for (const auto& p : db::read::PeopleMatching(c, search, limit)) {
      if (out.size() > 1) out += ", ";
      out += "{\"pk\": " + std::to_string(p.id) + ", \"name\": " +
             (p.name ? PyJsonString(*p.name) : std::string("null")) + ", \"email\": " +
             PyJsonString(p.email) + "}";
    }
  }
  out += "]";
  return JsonBody(std::move(out));
}

Response TodoListsPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req) {
  if (!visitor.user()) return RedirectToLogin(req);
  auto counts = db::read::TodoCounts(c, visitor.user()->user.id);
  if (counts.size() == 1) {
    if (const auto* p = st.catalog.Project(counts.front().first)) {
      return RedirectTo("/user/todo/" + api::PathQuote(p->linkname) + "/");
    }
  }
  data d;
  data lists{data::type::list};
  for (const auto& [project_id, n] : counts) {
    const auto* p = st.catalog.Project(project_id);
    if (!p) continue;
    data row;
    row.set("linkname", p->linkname);
    row.set("name", p->name);
    row.set("count", std::to_string(n));
    lists.push_back(row);
  }
  d.set("has_lists", !counts.empty());
  d.set("lists", lists);
  return LayoutPage(visitor, "TODO lists", nullptr, RenderTemplate(ui_templates::kTodoLists, d));
}

Response TodoListPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                      const db::read::ProjectRec& project) {
  if (!visitor.user()) return RedirectToLogin(req);
  ListView view;
  view.project = &project;
  view.title = "TODO list for " + project.name;
  view.head_html = "<h1>TODO list for " + HtmlEscape(project.name) + "</h1>";
  view.todo_of = visitor.user()->user;
  return PatchListPage(c, st, visitor, req, std::move(view));
}

Response NotFoundPage(Visitor& visitor, std::string_view path, const db::read::ProjectRec* project) {
  data d;
  d.set("path", std::string(path));
  if (project) {
    data p;
    p.set("linkname", project->linkname);
    p.set("name", project->name);
    d.set("project", p);
  }
  return LayoutPage(visitor, "Page not found", nullptr, RenderTemplate(ui_templates::kNotFound, d), 404);
}

}  // namespace pb::web
