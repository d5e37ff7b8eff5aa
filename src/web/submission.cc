#include "web/submission.h"

#include <cstdio>
#include <functional>

#include "api/csrf.h"
#include "api/embed.h"
#include "api/response.h"
#include "core/strings.h"
#include "db/pages_store.h"
#include "db/read/patches_read.h"
#include "db/read/web_read.h"
#include "service/bundle_contents.h"
#include "service/bundle_names.h"
#include "service/comment_updates.h"
#include "service/patch_bulk.h"
#include "service/patch_updates.h"
#include "web/patch_list.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/site_pages.h"
#include "web/spliced_page.h"
#include "web/ui_templates.h"

namespace pb::web {
namespace {

using http::Response;
using kainjow::mustache::data;

std::string LongDate(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

// commentsyntax: trailers and quotes get a class each.
const char* CommentLineClass(std::string_view line) {
  struct Trailer {
    std::string_view prefix;
    const char* cls;
  };
  static constexpr Trailer kTrailers[] = {
      {"signed-off-by:", "signed-off-by"}, {"acked-by:", "acked-by"},
      {"nacked-by:", "nacked-by"},         {"tested-by:", "tested-by"},
      {"reviewed-by:", "reviewed-by"},     {"from:", "from"}};
  std::string_view s = line;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  for (const auto& t : kTrailers) {
    if (StartsWithNoCase(s, t.prefix)) return t.cls;
  }
  if (line.starts_with(">")) return "quote";
  return "";
}

template <typename F>
void ForEachLine(std::string_view text, F f) {
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    f(line);
  }
}

void AppendEscaped(std::string& out, std::string_view text) {
  // Runs without special characters are appended whole: a character at a
  // time was most of the cost of a 5,000-line diff.
  while (!text.empty()) {
    size_t n = text.find_first_of("&<>\"'");
    out.append(text.substr(0, n));
    if (n == std::string_view::npos) break;
    switch (text[n]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += "&#x27;"; break;
    }
    text.remove_prefix(n + 1);
  }
}

// commentsyntax, written directly: a 5,000-line diff as a mustache list
// cost more than the rest of the page.
std::string ContentLines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  ForEachLine(text, [&](std::string_view line) {
    const char* cls = CommentLineClass(line);
    if (*cls) {
      out += "<span class=\"";
      out += cls;
      out += "\">";
      AppendEscaped(out, line);
      out += "</span>";
    } else {
      AppendEscaped(out, line);
    }
    out += '\n';
  });
  return out;
}

// patchsyntax's line classes.
std::string DiffLines(std::string_view diff) {
  std::string out;
  out.reserve(diff.size() + diff.size() / 2);
  ForEachLine(diff, [&](std::string_view line) {
    const char* kind = "p_context";
    if (line.starts_with("Index:") || line.starts_with("diff") || line.starts_with("---") ||
        line.starts_with("+++") || line.starts_with("***")) {
      kind = "p_header";
    } else if (line.starts_with("@@")) {
      kind = "p_chunk";
    } else if (line.starts_with("+")) {
      kind = "p_add";
    } else if (line.starts_with("-")) {
      kind = "p_del";
    } else if (line.starts_with("!")) {
      kind = "p_mod";
    }
    out += "<span class=\"";
    out += kind;
    out += "\">";
    AppendEscaped(out, line);
    out += "</span>\n";
  });
  return out;
}

// Python's str.format(commit) for the common forms of commit_url_format.
std::string CommitUrl(std::string fmt, const std::string& commit) {
  fmt = ReplaceAll(std::move(fmt), "{0}", commit);
  return ReplaceAll(std::move(fmt), "{}", commit);
}

std::string ListUrl(const db::read::ProjectRec& project) {
  return "/project/" + api::PathQuote(project.linkname) + "/list/";
}

struct PageMessages {
  std::vector<Flash> messages;
  std::vector<std::string> errors;
};

// The comments of a patch or cover, numbered, with the addressed buttons
// for those who may change them.
data CommentsData(const std::vector<db::read::WebCommentRec>& comments, bool cover, db::Id parent_id,
                  std::optional<db::Id> user, bool parent_editable,
                  std::optional<db::Id> cover_submitter_user,
                  const std::function<std::string()>& csrf_token) {
  data list{data::type::list};
  int n = 0;
  for (const auto& m : comments) {
    data row;
    row.set("id", std::to_string(m.id));
    row.set("number", std::to_string(++n));
    row.set("submitter", PersonShown(m.submitter_name, m.submitter_email));
    row.set("date", LongDate(m.date));
    row.set("lines", ContentLines(m.content));
    row.set("addressed", m.addressed == true);
    row.set("unaddressed", m.addressed == false);
    row.set("none", !m.addressed.has_value());
    bool can_edit = user && (parent_editable || m.submitter_user_id == user ||
                             (cover && cover_submitter_user == user));
    row.set("can_edit", can_edit);
    if (can_edit) {
      row.set("csrf_token", csrf_token());
      row.set("form_action", "");
      row.set("api_url", std::string(cover ? "/api/covers/" : "/api/patches/") +
                             std::to_string(parent_id) + "/comments/" + std::to_string(m.id) + "/");
    }
    list.push_back(row);
  }
  return list;
}

// POST action=comment-addressed (the no-JavaScript form of the buttons).
void CommentAddressed(db::Connection& c, const PostedForm& form, bool cover, db::Id parent_id,
                      std::optional<db::Id> user, bool parent_editable,
                      std::optional<db::Id> cover_submitter_user, PageMessages& out) {
  auto id = ParseId(form.Get("comment_id"));
  std::string value = form.Get("addressed");
  const db::read::WebCommentRec* comment = nullptr;
  auto comments = db::read::WebComments(c, cover, parent_id);
  for (const auto& m : comments) {
    if (id && m.id == *id) comment = &m;
  }
  if (!comment || (value != "true" && value != "false")) {
    out.errors.push_back("No such comment");
    return;
  }
  bool allowed = user && (parent_editable || comment->submitter_user_id == user ||
                          (cover && cover_submitter_user == user));
  if (!allowed) {
    out.errors.push_back("You don't have permissions to edit this comment");
    return;
  }
  bool addressed = value == "true";
  Status s = service::SetCommentAddressed(c, cover ? service::CommentKind::kCover : service::CommentKind::kPatch,
                                          comment->id, std::optional<std::optional<bool>>(addressed));
  if (!s.ok()) {
    out.errors.push_back("The comment could not be updated");
    return;
  }
  out.messages.push_back({addressed ? "Comment marked addressed" : "Comment marked unaddressed", false});
}

// The patch page after any POST, with the visitor's parts (or their
// markers) as given.
Response RenderPatch(db::Connection& c, PageState& st, const http::Request& req,
                     const db::read::ProjectRec& project, db::Id patch_id, std::optional<db::Id> user,
                     bool editable, const PageMessages& msgs, const VisitorParts& parts) {
  auto p = db::read::GetPatch(c, patch_id);
  if (!p) return api::HtmlNotFound(req.path);
  std::vector<db::read::PatchRec*> one{&*p};
  db::read::LoadPatchExtras(c, one);

  data d;
  d.set("messages", FlashData(msgs.messages));
  d.set("errors", ErrorData(msgs.errors));
  d.set("is_patch", true);
  d.set("name", p->name.empty() ? std::string("[no subject]") : p->name);
  d.set("msgid", api::UrlMsgid(p->msgid));
  if (auto url = api::ListArchiveUrl(&project, p->msgid)) d.set("list_archive_url", *url);
  d.set("linkname", project.linkname);
  const auto* s = st.catalog.State(p->state_id);
  d.set("state", s ? s->name : "");
  d.set("archived", p->archived);
  d.set("commit_ref_value", p->commit_ref.value_or(""));
  if (p->commit_ref) {
    d.set("commit_ref", *p->commit_ref);
    if (!project.commit_url_format.empty()) {
      d.set("commit_url", CommitUrl(project.commit_url_format, *p->commit_ref));
    }
  }
  if (p->delegate) {
    std::string name = p->delegate->first_name;
    if (!p->delegate->last_name.empty()) name += (name.empty() ? "" : " ") + p->delegate->last_name;
    d.set("delegate", name.empty() ? p->delegate->username : name);
  }
  d.set("headers", p->headers);
  if (p->series) {
    d.set("has_series", true);
    d.set("series_id", std::to_string(p->series->id));
    d.set("series_name", p->series->name.value_or("Untitled series #" + std::to_string(p->series->id)));
    data members{data::type::list};
    auto list = db::read::SeriesMembers(c, p->series->id);
    for (const auto& m : list) {
      data row;
      row.set("name", m.name);
      row.set("cover", m.cover);
      row.set("current", !m.cover && m.id == p->id);
      row.set("url", m.cover ? api::CoverWebPath(project.linkname, m.msgid)
                             : api::PatchWebPath(project.linkname, m.msgid));
      members.push_back(row);
    }
    d.set("series_members", members);
    d.set("series_count", std::to_string(list.size()));
    d.set("series_one", list.size() == 1);
  }
  data related{data::type::list};
  bool has_related = false;
  for (const auto& r : p->related) {
    if (r.project_id != project.id) continue;
    data row;
    row.set("name", r.name);
    row.set("url", api::PatchWebPath(project.linkname, r.msgid));
    related.push_back(row);
    has_related = true;
  }
  d.set("related", related);
  d.set("has_related", has_related);
  if (user) {
    d.set("csrf_token", parts.csrf_token);
    d.set("bundling", true);
    d.set("bundle_choice", parts.bundle_choice);
  }
  if (editable) {
    d.set("editable", true);
    data states{data::type::list};
    for (const auto& state : st.catalog.states()) {
      data o;
      o.set("id", std::to_string(state.id));
      o.set("name", state.name);
      o.set("selected", state.id == p->state_id);
      states.push_back(o);
    }
    d.set("states", states);
    data delegates{data::type::list};
    bool listed = false;
    for (const auto& m : project.maintainers) {
      data o;
      o.set("id", std::to_string(m.id));
      o.set("name", m.username);
      bool selected = p->delegate && p->delegate->id == m.id;
      listed |= selected;
      o.set("selected", selected);
      delegates.push_back(o);
    }
    if (p->delegate && !listed) {
      data o;
      o.set("id", std::to_string(p->delegate->id));
      o.set("name", p->delegate->username);
      o.set("selected", true);
      delegates.push_back(o);
    }
    d.set("delegates", delegates);
  }
  if (p->pull_url) d.set("pull_url", *p->pull_url);
  auto checks = db::read::UniqueChecks(c, patch_id);
  d.set("has_checks", !checks.empty());
  data check_rows{data::type::list};
  for (const auto& k : checks) {
    data row;
    row.set("user", k.user.username);
    row.set("context", k.context);
    row.set("state", std::string(service::CheckStateName(k.state)));
    row.set("date", LongDate(k.date));
    row.set("description", k.description.value_or(""));
    if (k.target_url && !k.target_url->empty()) row.set("target_url", *k.target_url);
    else row.set("target_url", false);
    check_rows.push_back(row);
  }
  d.set("checks", check_rows);
  d.set("submitter", PersonShown(p->submitter.name, p->submitter.email));
  d.set("submitter_url", ListUrl(project) + "?submitter=" + std::to_string(p->submitter.id));
  d.set("date", LongDate(p->date));
  d.set("content_lines", ContentLines(p->content.value_or("")));
  auto comments = db::read::WebComments(c, false, patch_id);
  d.set("has_comments", !comments.empty());
  d.set("comments", CommentsData(comments, false, patch_id, user, editable, std::nullopt,
                                 [&] { return parts.csrf_token; }));
  d.set("has_diff", p->diff.has_value());
  if (p->diff) d.set("diff_lines", DiffLines(*p->diff));
  return LayoutPageWithNav(parts.account_nav, p->name, &project,
                           RenderTemplate(ui_templates::kSubmission, d));
}

}  // namespace

Response PatchPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                   const db::read::ProjectRec& project, db::Id patch_id) {
  const auto& user_rec = visitor.user();
  std::optional<db::Id> user;
  if (user_rec) user = user_rec->user.id;
  auto owners = db::read::PatchOwners(c, {patch_id});
  if (owners.empty()) return NotFoundPage(visitor, req.path, &project);
  bool editable = service::PatchEditable(owners.front(), user, &project);

  PageMessages msgs;
  if (req.method == "POST") {
    PostedForm form(req);
    if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
      return CsrfFailurePage(*reason);
    }
    std::string action = form.Get("action");
    if (!user) return RedirectToLogin(req);
    if (action == "createbundle") {
      std::string name = form.Get("name");
      auto error = service::BundleNameError(name);
      if (name.empty()) error = "No bundle name was specified";
      else if (name.size() > 50) error = "Bundle names can have at most 50 characters";
      if (error) {
        msgs.errors.push_back(*error);
      } else {
        auto id = service::CreateEmptyBundle(c, *user, project.id, name, false);
        if (!id.ok()) {
          msgs.errors.push_back("You already have a bundle called \"" + name + "\"");
        } else if (service::AddToBundle(c, *id, {patch_id}).ok()) {
          msgs.messages.push_back({"Bundle " + name + " created", false});
        }
      }
    } else if (action == "addtobundle") {
      auto id = ParseId(form.Get("bundle_id"));
      auto bundle = id ? db::read::BundleById(c, *id) : std::nullopt;
      if (!bundle || bundle->owner_id != *user) return NotFoundPage(visitor, req.path, &project);
      auto added = service::AddToBundle(c, bundle->id, {patch_id});
      if (added.ok() && (*added)[0]) {
        msgs.messages.push_back({"Patch \"" + owners.front().name + "\" added to bundle \"" + bundle->name + "\"", false});
      } else {
        msgs.errors.push_back("Failed to add patch \"" + owners.front().name + "\" to bundle \"" +
                              bundle->name + "\": patch is already in bundle");
      }
    } else if (action == "comment-addressed") {
      CommentAddressed(c, form, false, patch_id, user, editable, std::nullopt, msgs);
    } else if (!editable) {
      Response r = HtmlResponse("", 403);
      return r;
    } else if (action.empty()) {
      service::PatchChanges ch;
      auto state = ParseId(form.Get("state"));
      bool valid = state && st.catalog.State(*state);
      std::string delegate = form.Get("delegate");
      std::optional<db::Id> delegate_id;
      if (!delegate.empty()) {
        delegate_id = ParseId(delegate);
        bool allowed = delegate_id && delegate_id == owners.front().delegate_id;
        for (const auto& m : project.maintainers) allowed |= delegate_id && m.id == *delegate_id;
        valid &= allowed;
      }
      std::string commit_ref = form.Get("commit_ref");
      valid &= commit_ref.size() <= 255;
      if (!valid) {
        msgs.errors.push_back("The submitted form data was invalid");
      } else {
        ch.state_id = *state;
        ch.delegate_id = delegate_id;
        ch.archived = form.Has("archived") && form.Get("archived") != "false";
        // Django's CharField stores '' for an empty optional field.
        ch.commit_ref = commit_ref.empty() ? std::nullopt : std::optional<std::string>(commit_ref);
        if (service::UpdatePatch(c, patch_id, ch, user).ok()) {
          msgs.messages.push_back({"Patch updated", false});
        } else {
          msgs.errors.push_back("The patch could not be updated");
        }
      }
    }
    // The write may have changed who can edit (delegate).
    owners = db::read::PatchOwners(c, {patch_id});
    editable = !owners.empty() && service::PatchEditable(owners.front(), user, &project);
  }

  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  auto fill = [&](Hole hole) -> std::string {
    switch (hole) {
      case Hole::kAccountNav: return AccountNav(visitor);
      case Hole::kCsrfToken: return visitor.CsrfToken();
      case Hole::kBundleChoice: return BundleChoice(c, *user, project.id, ui_templates::kPatchBundleChoice);
    }
    return "";
  };
  // Kept per generation like the project list (web/spliced_page.h). What
  // differs per visitor besides the holes is who may edit the patch and
  // its comments: one page for anonymous visitors, one for those who may
  // edit the patch (and so every comment), one per other user.
  bool keep = st.list_pages && req.method != "POST";
  std::string key;
  if (keep) {
    key = "patch " + std::to_string(patch_id) + " ";
    key += !user ? std::string("anonymous") : editable ? std::string("editor") : "user " + std::to_string(*user);
  }
  return KeptOrRendered(keep ? st.list_pages.get() : nullptr, key, generation, fill, user.has_value(),
                        [&](const VisitorParts& parts) {
                          return RenderPatch(c, st, req, project, patch_id, user, editable, msgs, parts);
                        });
}

Response CoverPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                   const db::read::ProjectRec& project, db::Id cover_id) {
  auto v = db::GetCover(c, cover_id);
  if (!v) return NotFoundPage(visitor, req.path, &project);
  const auto& user_rec = visitor.user();
  std::optional<db::Id> user;
  if (user_rec) user = user_rec->user.id;
  bool maintainer = false;
  for (const auto& m : project.maintainers) maintainer |= user && m.id == *user;
  // CoverComment.is_editable: the cover's submitter's user counts too; it
  // is read with the comments (people.user_id of the cover's submitter).
  std::optional<db::Id> cover_user = db::read::CoverSubmitterUser(c, cover_id);

  PageMessages msgs;
  if (req.method == "POST") {
    PostedForm form(req);
    if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
      return CsrfFailurePage(*reason);
    }
    if (!user) return RedirectToLogin(req);
    if (form.Get("action") != "comment-addressed") return HtmlResponse("", 403);
    CommentAddressed(c, form, true, cover_id, user, maintainer, cover_user, msgs);
  }

  data d;
  d.set("messages", FlashData(msgs.messages));
  d.set("errors", ErrorData(msgs.errors));
  d.set("is_patch", false);
  d.set("name", v->name);
  d.set("msgid", api::UrlMsgid(v->msgid));
  if (auto url = api::ListArchiveUrl(&project, v->msgid)) d.set("list_archive_url", *url);
  d.set("linkname", project.linkname);
  d.set("headers", v->headers);
  if (v->series_id) {
    d.set("has_series", true);
    d.set("series_id", std::to_string(*v->series_id));
    data members{data::type::list};
    auto list = db::read::SeriesMembers(c, *v->series_id);
    for (const auto& m : list) {
      data row;
      row.set("name", m.name);
      row.set("cover", m.cover);
      row.set("current", m.cover && m.id == cover_id);
      row.set("url", m.cover ? api::CoverWebPath(project.linkname, m.msgid)
                             : api::PatchWebPath(project.linkname, m.msgid));
      members.push_back(row);
    }
    d.set("series_name", v->name);
    d.set("series_members", members);
    d.set("series_count", std::to_string(list.size()));
    d.set("series_one", list.size() == 1);
  }
  d.set("submitter", PersonShown(v->submitter_name, v->submitter_email));
  d.set("submitter_url", ListUrl(project));
  d.set("date", LongDate(v->date));
  d.set("content_lines", ContentLines(v->content.value_or("")));
  auto comments = db::read::WebComments(c, true, cover_id);
  d.set("has_comments", !comments.empty());
  d.set("comments", CommentsData(comments, true, cover_id, user, maintainer, cover_user,
                                 [&] { return visitor.CsrfToken(); }));
  return LayoutPage(visitor, v->name, &project, RenderTemplate(ui_templates::kSubmission, d));
}

}  // namespace pb::web
