#include "web/pages.h"

#include <kainjow/mustache.hpp>

#include <charconv>
#include <cstdio>

#include "api/embed.h"
#include "api/filters.h"
#include "core/strings.h"
#include "api/query.h"
#include "api/response.h"
#include "db/pages_store.h"
#include "db/read/patches_read.h"
#include "web/templates.h"

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

std::string ShortDate(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
  return buf;
}

std::string LongDate(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
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

Response PatchList(db::Connection& c, PageState& st, Visitor& visitor,
                   const db::read::ProjectRec& project, const http::Request& req,
                   int64_t generation) {
  auto params = api::QueryParams::Parse(req.query);
  auto param = [&](std::string_view n) -> std::string {
    const std::string* v = params.Last(n);
    return v ? *v : "";
  };
  db::read::PatchFilter f;
  f.projects = std::vector<db::Id>{project.id};
  std::string state = param("state");
  data d;
  data states{data::type::list};
  for (const auto& s : st.catalog.states()) {
    data o;
    o.set("id", std::to_string(s.id));
    o.set("name", s.name);
    o.set("selected", state == std::to_string(s.id));
    states.push_back(o);
  }
  if (state.empty()) {
    std::vector<db::Id> ids;
    for (const auto& s : st.catalog.states()) {
      if (s.action_required) ids.push_back(s.id);
    }
    f.states = ids;
  } else if (state != "*") {
    f.states = std::vector<db::Id>{ParseId(state).value_or(-1)};
  }
  std::string archive = param("archive");
  if (archive.empty()) f.archived = false;
  else if (archive == "true") f.archived = true;
  if (auto s = ParseId(param("series"))) {
    f.series = std::vector<db::Id>{*s};
    d.set("series", std::to_string(*s));
  }
  if (auto s = ParseId(param("submitter"))) f.submitters = std::vector<db::Id>{*s};
  if (auto s = ParseId(param("delegate"))) f.delegates = std::vector<db::Id>{*s};
  std::string q = param("q");
  for (size_t pos = 0; pos < q.size();) {
    size_t end = q.find(' ', pos);
    std::string term = q.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    // Past the API's bound (api/filters.h) terms are ignored, not a 500.
    if (!term.empty() && f.search.size() < api::kMaxSearchTerms) f.search.push_back(term);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  f.order = {{db::read::PatchOrder::kDate, true}, {db::read::PatchOrder::kId, true}};

  int64_t total = db::read::CountPatches(c, f, &st.counts, generation);
  int64_t pages = std::max<int64_t>(1, (total + kPageSize - 1) / kPageSize);
  int64_t page = std::clamp<int64_t>(ParseId(param("page")).value_or(1), 1, pages);
  auto rows = db::read::ListPatches(c, f, kPageSize, (page - 1) * kPageSize, st.page_ids.get(),
                                    generation);
  std::vector<db::read::PatchRec*> ptrs;
  std::vector<db::Id> ids;
  for (auto& r : rows) {
    ptrs.push_back(&r);
    ids.push_back(r.id);
  }
  db::read::LoadPatchExtras(c, ptrs);
  auto tags = db::TagCounts(c, ids);
  auto checks = db::CheckCounts(c, ids);

  data list{data::type::list};
  for (const auto& r : rows) {
    data row;
    row.set("id", std::to_string(r.id));
    row.set("url", api::PatchWebPath(project.linkname, r.msgid));
    row.set("name", r.name);
    if (r.series) {
      row.set("series_id", std::to_string(r.series->id));
      row.set("series_name", r.series->name.value_or("Untitled series #" + std::to_string(r.series->id)));
    }
    auto t = tags.find(r.id);
    auto tag = [&](db::Id id) {
      if (t == tags.end()) return 0;
      auto it = t->second.find(id);
      return it == t->second.end() ? 0 : it->second;
    };
    auto shown = [](int n) { return n ? std::to_string(n) : std::string("-"); };
    const char* names[] = {"acked", "reviewed", "tested"};
    for (int i = 0; i < 3; ++i) {
      row.set(names[i], shown(tag(i + 1)));
      row.set(std::string(names[i]) + "_n", std::to_string(tag(i + 1)));
    }
    auto k = checks.find(r.id);
    auto check = [&](int state) { return k == checks.end() ? 0 : k->second[static_cast<size_t>(state)]; };
    row.set("success", shown(check(1)));
    row.set("warning", shown(check(2)));
    row.set("fail", shown(check(3)));
    row.set("date", ShortDate(r.date));
    row.set("submitter_id", std::to_string(r.submitter.id));
    row.set("submitter", r.submitter.name && !r.submitter.name->empty() ? *r.submitter.name : r.submitter.email);
    row.set("delegate", r.delegate ? r.delegate->username : "");
    const auto* s = st.catalog.State(r.state_id);
    row.set("state", s ? s->name : "");
    list.push_back(row);
  }
  auto link = [&](int64_t p) { return "?" + params.Rebuilt("page", std::to_string(p)); };
  d.set("project_name", project.name);
  d.set("states", states);
  d.set("state_default", state.empty());
  d.set("state_any", state == "*");
  d.set("archive_no", archive.empty());
  d.set("archive_yes", archive == "true");
  d.set("archive_both", archive == "both");
  d.set("q", q);
  d.set("total", std::to_string(total));
  d.set("one", total == 1);
  d.set("patches", list);
  d.set("page", std::to_string(page));
  d.set("pages", std::to_string(pages));
  if (page > 1) d.set("prev", link(page - 1));
  if (page < pages) d.set("next", link(page + 1));
  return Page(visitor, project.name, &project, templates::kPatchList, d);
}

data CommentsData(const std::vector<db::PageComment>& comments) {
  data list{data::type::list};
  for (const auto& m : comments) {
    data row;
    row.set("submitter", PersonDisplay(m.submitter_name, m.submitter_email));
    row.set("date", LongDate(m.date));
    row.set("content", m.content);
    list.push_back(row);
  }
  return list;
}

Response PatchDetail(db::Connection& c, PageState& st, Visitor& visitor,
                     const db::read::ProjectRec& project, db::Id id) {
  auto p = db::read::GetPatch(c, id);
  if (!p) return Html("", 404);
  data d;
  d.set("name", p->name);
  d.set("msgid", p->msgid);
  const auto* s = st.catalog.State(p->state_id);
  d.set("state", s ? s->name : "");
  d.set("archived", p->archived);
  d.set("submitter", PersonDisplay(p->submitter.name, p->submitter.email));
  d.set("date", LongDate(p->date));
  if (p->delegate) d.set("delegate", p->delegate->username);
  if (p->commit_ref) d.set("commit_ref", *p->commit_ref);
  if (p->pull_url) d.set("pull_url", *p->pull_url);
  if (p->hash) d.set("hash", *p->hash);
  d.set("headers", p->headers);
  d.set("content", p->content.value_or(""));
  d.set("comments", CommentsData(db::PatchComments(c, id)));
  if (p->series) {
    d.set("series_id", std::to_string(p->series->id));
    d.set("has_series", true);
    if (p->series->name) d.set("series_name", *p->series->name);
    data links{data::type::list};
    for (const auto& l : db::SeriesPatches(c, p->series->id)) {
      data row;
      row.set("url", api::PatchWebPath(project.linkname, l.msgid));
      row.set("name", l.name);
      row.set("current", l.id == p->id);
      links.push_back(row);
    }
    d.set("series_patches", links);
  }
  d.set("has_diff", p->diff.has_value());
  if (p->diff) {
    data lines{data::type::list};
    std::string_view diff = *p->diff;
    for (size_t pos = 0; pos < diff.size();) {
      size_t end = diff.find('\n', pos);
      std::string_view line = diff.substr(pos, end == std::string_view::npos ? diff.npos : end - pos);
      pos = end == std::string_view::npos ? diff.size() : end + 1;
      const char* kind = "";
      if (line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff ")) kind = "file";
      else if (line.starts_with("@@")) kind = "hunk";
      else if (line.starts_with("+")) kind = "add";
      else if (line.starts_with("-")) kind = "del";
      data row;
      row.set("kind", kind);
      row.set("text", std::string(line));
      lines.push_back(row);
    }
    d.set("diff_lines", lines);
  }
  return Page(visitor, p->name, &project, templates::kPatchDetail, d);
}

Response CoverDetail(db::Connection& c, Visitor& visitor, const db::read::ProjectRec& project,
                     db::Id id) {
  auto v = db::GetCover(c, id);
  if (!v) return Html("", 404);
  data d;
  d.set("name", v->name);
  d.set("msgid", v->msgid);
  d.set("linkname", v->linkname);
  d.set("submitter", PersonDisplay(v->submitter_name, v->submitter_email));
  d.set("date", LongDate(v->date));
  d.set("headers", v->headers);
  d.set("content", v->content.value_or(""));
  if (v->series_id) d.set("series_id", std::to_string(*v->series_id));
  d.set("comments", CommentsData(db::CoverComments(c, id)));
  return Page(visitor, v->name, &project, templates::kCoverDetail, d);
}

}  // namespace

Response LayoutPage(Visitor& visitor, const std::string& title, const db::read::ProjectRec* project,
                    std::string body, int status) {
  data layout;
  layout.set("title", title);
  if (project) {
    data p;
    p.set("name", project->name);
    p.set("linkname", project->linkname);
    layout.set("project", p);
  }
  // The navbar: upstream's "logged in" menu or its Login link. Logout is a
  // POST form (Django 5 refuses GET logouts), so it carries a CSRF token.
  if (visitor.user()) {
    data account;
    account.set("username", visitor.user()->user.username);
    account.set("csrf_token", visitor.CsrfToken());
    layout.set("account", account);
  }
  layout.set("body", std::move(body));
  return Html(Render(templates::kLayout, layout), status);
}

std::optional<Response> HandlePage(db::Connection& c, PageState& st, Visitor& visitor,
                                   const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  if (req.path == "/static/patchbay.css") {
    Response r;
    r.headers = {{"Content-Type", "text/css; charset=utf-8"}, {"Cache-Control", "max-age=3600"}};
    r.body = templates::kStylesheet;
    return r;
  }
  std::string decoded = api::PercentDecode(req.path, /*plus_is_space=*/false);
  auto seg = PathSegments(decoded);
  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  if (decoded == "/") return ProjectList(visitor, st.catalog);
  if (seg.size() < 2 || seg[0] != "project") return std::nullopt;
  const auto* project = st.catalog.ProjectByLinkname(seg[1]);
  if (!project) return api::HtmlNotFound(req.path);
  if (seg.size() == 2) {
    Response r;
    r.status = 302;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"},
                 {"Location", "/project/" + api::PathQuote(project->linkname) + "/list/"},
                 {"X-Frame-Options", "DENY"}};
    return r;
  }
  if (seg.size() == 3 && seg[2] == "list") return PatchList(c, st, visitor, *project, req, generation);
  if (seg.size() == 4 && seg[2] == "patch") {
    auto id = db::PatchIdByProjectMsgid(c, project->linkname,
                                        "<" + ReplaceAll(std::string(seg[3]), "%2F", "/") + ">");
    if (!id) return api::HtmlNotFound(req.path);
    return PatchDetail(c, st, visitor, *project, *id);
  }
  if (seg.size() == 4 && seg[2] == "cover") {
    auto id = db::CoverIdByProjectMsgid(c, project->linkname, "<" + std::string(seg[3]) + ">");
    if (!id) return api::HtmlNotFound(req.path);
    return CoverDetail(c, visitor, *project, *id);
  }
  return std::nullopt;
}

}  // namespace pb::web
