// The superuser's project pages (upstream's admin site, the common part):
// /admin/projects/ lists the projects; /admin/project/LINKNAME/ edits every
// field and the maintainers. Superusers only; others get 403 (anonymous
// visitors the login page).
#include <charconv>

#include "core/html.h"
#include "db/accounts.h"
#include "db/admin.h"
#include "db/mail_store.h"
#include "db/projects.h"
#include "db/superseding.h"
#include "db/users.h"
#include "web/account_flows.h"
#include "web/form_kit.h"
#include "web/pages.h"

namespace pb::web::flows {
namespace {

std::optional<http::Response> RequireSuperuser(Visitor& v, const http::Request& req) {
  if (!v.user()) return form_kit::RedirectToLogin(req);
  if (!v.user()->is_superuser) {
    return MessagePage(v, "Forbidden", {"Only a superuser may change project settings."}, 403);
  }
  return std::nullopt;
}

bool IsSlug(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char ch : s) {
    if (!(std::isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80)) return false;
  }
  return true;
}

std::string Checkbox(const char* name, const char* label, bool on) {
  return std::string("<p><label><input type=\"checkbox\" name=\"") + name + "\" id=\"id_" + name + "\"" +
         (on ? " checked" : "") + "> " + label + "</label></p>";
}

http::Response ProjectForm(db::Connection& c, Visitor& v, const db::ProjectRow& p,
                           const std::string& error, const std::string& notice) {
  FormSpec s;
  s.heading = "Project " + p.linkname;
  if (!notice.empty()) s.intro_html.push_back("<p class=\"notice\">" + HtmlEscape(notice) + "</p>");
  s.error = error;
  s.fields = {
      {"linkname", "Link name", "text", p.linkname, "", "", "", 255, true},
      {"name", "Name", "text", p.name, "", "", "", 255, true},
      {"listid", "List ID", "text", p.listid, "", "", "", 255, true},
      {"listemail", "List email", "email", p.listemail, "", "", "", 200, true},
      {"subject_match", "Subject match", "text", p.subject_match, "",
       "Regex to match the subject against if only part of emails sent to the list belong to this "
       "project. Will be used with IGNORECASE and MULTILINE flags. If rules for more projects match "
       "the first one returned from DB is chosen; empty field serves as a default for every email "
       "which has no other match.", "", 64, false},
      {"web_url", "Web URL", "url", p.web_url, "", "", "", 2000, false},
      {"scm_url", "SCM URL", "text", p.scm_url, "", "", "", 2000, false},
      {"webscm_url", "Web SCM URL", "url", p.webscm_url, "", "", "", 2000, false},
      {"list_archive_url", "List archive URL", "url", p.list_archive_url, "", "", "", 2000, false},
      {"list_archive_url_format", "List archive URL format", "text", p.list_archive_url_format, "",
       "URL format for the list archive's Message-ID redirector. {} will be replaced by the "
       "Message-ID.", "", 2000, false},
      {"commit_url_format", "Commit URL format", "text", p.commit_url_format, "",
       "URL format for a linked commit. {} will be replaced by the commit SHA.", "", 2000, false},
  };
  s.outro_html = {};
  s.submit = "Save";
  s.form_class = "projectform";
  // The two flags and the maintainers follow the text fields.
  http::Response page = FormPage(v, s);
  std::string flags = Checkbox("send_notifications", "Send notifications", p.send_notifications) +
                      Checkbox("use_tags", "Use tags", p.use_tags) +
                      Checkbox("supersede_revisions",
                               "Supersede earlier revisions when a new version arrives",
                               db::ProjectSupersedesRevisions(c, p.id));
  size_t submit = page.body.find("<tr><td></td><td class=\"submitrow\">");
  if (submit != std::string::npos) {
    page.body.insert(submit, "<tr><th></th><td>" + flags + "</td></tr>\n");
  }
  std::string m = "<h2>Maintainers</h2>\n<table class=\"listing maintainers\">\n";
  std::string token = HtmlEscape(v.CsrfToken());
  for (const auto& u : db::ProjectMaintainers(c, p.id)) {
    m += "<tr><td>" + HtmlEscape(u.username) + "</td><td>" + HtmlEscape(u.email) +
         "</td><td><form method=\"post\" action=\"/admin/project/" + HtmlEscape(p.linkname) +
         "/maintainers/\"><input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"" + token +
         "\"><input type=\"hidden\" name=\"remove\" value=\"" + HtmlEscape(u.username) +
         "\"><input type=\"submit\" value=\"Remove\"></form></td></tr>\n";
  }
  m += "</table>\n<form method=\"post\" action=\"/admin/project/" + HtmlEscape(p.linkname) +
       "/maintainers/\" class=\"maintainerform\"><input type=\"hidden\" name=\"csrfmiddlewaretoken\" "
       "value=\"" + token + "\"><label for=\"id_add\">Add a maintainer (username):</label> "
       "<input type=\"text\" name=\"add\" id=\"id_add\" required> <input type=\"submit\" value=\"Add\">"
       "</form>\n<p><a href=\"/admin/projects/\">All projects</a></p>\n";
  size_t end = page.body.find("</main>");
  if (end != std::string::npos) page.body.insert(end, m);
  return page;
}

}  // namespace

http::Response AdminProjects(db::Connection& c, Visitor& v, const http::Request& req) {
  if (auto r = RequireSuperuser(v, req)) return std::move(*r);
  std::vector<std::string> rows;
  for (const auto& p : db::ListProjects(c)) {
    rows.push_back("<a href=\"/admin/project/" + HtmlEscape(p.linkname) + "/\">" + HtmlEscape(p.linkname) +
                   "</a>: " + HtmlEscape(p.name) + " (" + HtmlEscape(p.listid) + ")");
  }
  if (rows.empty()) rows.push_back("No projects yet: <code>patchbay project create</code> makes one.");
  return MessagePage(v, "Projects", rows);
}

http::Response AdminProject(db::Connection& c, Visitor& v, const http::Request& req,
                            std::string_view base_url, std::string_view linkname, bool maintainers) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
    return form_kit::NotAllowed("GET, POST, HEAD, OPTIONS");
  }
  form_kit::Form form(req);
  if (req.method == "POST") {
    if (auto r = CheckCsrf(req, form.Get("csrfmiddlewaretoken"), base_url)) return std::move(*r);
  }
  if (auto r = RequireSuperuser(v, req)) return std::move(*r);
  auto p = db::FindProject(c, linkname);
  if (!p) return MessagePage(v, "Not Found", {}, 404);
  if (req.method != "POST") return ProjectForm(c, v, *p, "", "");
  if (maintainers) {
    std::string name = form_kit::Strip(form.Has("add") ? form.Get("add") : form.Get("remove"));
    auto u = db::FindUserByUsername(c, name);
    if (!u) return ProjectForm(c, v, *p, "No user named '" + name + "'.", "");
    db::Transaction tx(c);
    if (form.Has("add")) {
      db::AddMaintainer(c, p->id, u->id);
    } else {
      db::RemoveMaintainer(c, p->id, u->id);
    }
    db::BumpGeneration(c);
    tx.Commit();
    return form_kit::Redirect("/admin/project/" + p->linkname + "/");
  }
  db::ProjectRow n = *p;
  n.linkname = form_kit::Strip(form.Get("linkname"));
  n.name = form_kit::Strip(form.Get("name"));
  n.listid = form_kit::Strip(form.Get("listid"));
  n.listemail = form_kit::Strip(form.Get("listemail"));
  n.subject_match = form.Get("subject_match");
  n.web_url = form_kit::Strip(form.Get("web_url"));
  n.scm_url = form_kit::Strip(form.Get("scm_url"));
  n.webscm_url = form_kit::Strip(form.Get("webscm_url"));
  n.list_archive_url = form_kit::Strip(form.Get("list_archive_url"));
  n.list_archive_url_format = form_kit::Strip(form.Get("list_archive_url_format"));
  n.commit_url_format = form_kit::Strip(form.Get("commit_url_format"));
  n.send_notifications = form.Has("send_notifications");
  n.use_tags = form.Has("use_tags");
  std::string error;
  if (!IsSlug(n.linkname)) error = "The link name must be letters, digits, '-' or '_'.";
  else if (n.name.empty() || n.listid.empty() || n.listemail.empty()) error = "Name, list ID and list email are required.";
  db::Transaction tx(c);
  if (error.empty()) {
    if (auto clash = db::ProjectClash(c, n)) error = "Another " + *clash + ".";
  }
  if (!error.empty()) return ProjectForm(c, v, n, error, "");
  db::UpdateProject(c, n);
  db::SetProjectSupersedesRevisions(c, n.id, form.Has("supersede_revisions"));
  db::BumpGeneration(c);
  tx.Commit();
  return ProjectForm(c, v, n, "", "Saved.");
}

}  // namespace pb::web::flows
