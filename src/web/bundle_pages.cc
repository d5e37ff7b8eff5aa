#include "web/bundle_pages.h"

#include "api/csrf.h"
#include "api/response.h"
#include "core/html.h"
#include "core/strings.h"
#include "db/read/web_read.h"
#include "service/bundle_contents.h"
#include "service/bundle_names.h"
#include "service/bundles.h"
#include "web/patch_list.h"
#include "web/responses.h"
#include "web/site_pages.h"
#include "web/ui_templates.h"

namespace pb::web {
namespace {

using http::Response;
using kainjow::mustache::data;

std::string BundleUrl(std::string_view owner, std::string_view name) {
  return "/bundle/" + api::PathQuote(owner) + "/" + api::PathQuote(name) + "/";
}

// BundleForm: a name without slashes, at most 50 characters, unique for
// the owner.
std::optional<std::string> NameError(std::string_view name) {
  if (name.empty()) return "This field is required.";
  if (auto error = service::BundleNameError(name)) return error;
  if (name.size() > 50) return "Ensure this value has at most 50 characters.";
  return std::nullopt;
}

}  // namespace

Response BundlePage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                    std::string_view username, std::string_view name) {
  auto bundle = db::read::BundleByOwnerName(c, username, name);
  if (!bundle) return NotFoundPage(visitor, req.path, nullptr);
  bool owner = visitor.user() && visitor.user()->user.id == bundle->owner_id;
  if (!owner && !bundle->is_public) return NotFoundPage(visitor, req.path, nullptr);

  ListView view;
  if (owner && req.method == "POST") {
    PostedForm form(req);
    std::string which = form.Get("form");
    if (which == "bundle") {
      if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
        return CsrfFailurePage(*reason);
      }
      std::string action = LowerAscii(form.Get("action"));
      if (action == "delete") {
        service::DeleteBundle(c, bundle->id);
        return RedirectTo("/user/");
      }
      if (action == "update") {
        std::string new_name = form.Get("name");
        service::BundleChanges ch;
        ch.is_public = form.Has("public") && form.Get("public") != "false";
        if (auto err = NameError(new_name)) {
          view.errors.push_back(*err);
        } else {
          ch.name = new_name;
        }
        Status s = service::UpdateBundle(c, bundle->id, ch);
        if (s.code() == Code::kDuplicate) {
          view.errors.push_back("You already have a bundle called \"" + new_name + "\"");
          ch.name.reset();
          service::UpdateBundle(c, bundle->id, ch);
        }
        auto now = db::read::BundleById(c, bundle->id);
        if (now && now->name != bundle->name) return RedirectTo(BundleUrl(now->owner_username, now->name));
        if (now) bundle = now;
        if (view.errors.empty()) view.messages.push_back({"Bundle updated", false});
      }
    } else if (which == "reorderform") {
      if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
        return CsrfFailurePage(*reason);
      }
      auto start = ParseId(form.Get("order_start"));
      std::vector<db::Id> order;
      for (const auto& v : form.GetList("neworder")) {
        if (auto id = ParseId(v)) order.push_back(*id);
      }
      if (!start || !service::ReorderBundle(c, bundle->id, *start, order).ok()) {
        return NotFoundPage(visitor, req.path, nullptr);
      }
      view.messages.push_back({"Bundle order changed", false});
    }
  }

  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  const auto* project = st.catalog.Project(bundle->project_id);
  if (!project) return NotFoundPage(visitor, req.path, nullptr);
  data head;
  head.set("name", bundle->name);
  head.set("linkname", project->linkname);
  if (owner) {
    data o;
    o.set("visibility", bundle->is_public ? "public" : "private");
    o.set("public", bundle->is_public);
    o.set("csrf_token", visitor.CsrfToken());
    o.set("open", !view.errors.empty());
    head.set("owner", o);
  }
  view.project = project;
  view.title = bundle->name;
  view.head_html = RenderTemplate(ui_templates::kBundleHead, head);
  view.bundle = bundle;
  view.bundle_owner = owner;
  http::Request list_req = req;
  // The settings and reorder forms were handled here; the list only acts
  // on its own form.
  if (req.method == "POST") {
    PostedForm form(req);
    if (form.Get("form") != "patchlistform") list_req.method = "GET";
  }
  return PatchListPage(c, st, visitor, list_req, std::move(view));
}

Response BundleListPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                        const db::read::ProjectRec* project) {
  if (!visitor.user()) return RedirectToLogin(req);
  db::Id user = visitor.user()->user.id;
  std::vector<Flash> messages;
  if (req.method == "POST") {
    PostedForm form(req);
    if (auto reason = api::csrf::Check(req, form.Get(api::csrf::kFormField), st.base_url)) {
      return CsrfFailurePage(*reason);
    }
    if (form.Get("form_name") == "deletebundleform") {
      auto id = ParseId(form.Get("bundle_id"));
      auto bundle = id ? db::read::BundleById(c, *id) : std::nullopt;
      // Upstream deletes any bundle by id (a 3.2.1 quirk); only the owner's here.
      if (bundle && bundle->owner_id == user && service::DeleteBundle(c, bundle->id).ok()) {
        messages.push_back({"Bundle " + bundle->name + " deleted", false});
      }
    }
  }
  int64_t generation = db::read::ReadGeneration(c);
  st.catalog.Refresh(c, generation);
  auto bundles = db::read::BundlesOfOwner(c, user, project ? std::optional<db::Id>(project->id) : std::nullopt);
  data d;
  d.set("heading", project ? "Bundles in " + project->name : std::string("Your bundles"));
  d.set("messages", FlashData(messages));
  d.set("has_bundles", !bundles.empty());
  data list{data::type::list};
  for (const auto& b : bundles) {
    const auto* p = st.catalog.Project(b.project_id);
    data row;
    row.set("id", std::to_string(b.id));
    row.set("name", b.name);
    row.set("url", BundleUrl(b.owner_username, b.name));
    row.set("linkname", p ? p->linkname : "");
    row.set("public", b.is_public);
    row.set("count", std::to_string(b.patch_count));
    row.set("csrf_token", visitor.CsrfToken());
    list.push_back(row);
  }
  d.set("bundles", list);
  return LayoutPage(visitor, "Bundles", project, RenderTemplate(ui_templates::kBundleList, d));
}

Response OldBundleRedirect(db::Connection& c, Visitor& visitor, const http::Request& req, db::Id id,
                           std::string_view suffix) {
  if (!visitor.user()) return RedirectToLogin(req);
  auto bundle = db::read::BundleById(c, id);
  if (!bundle || bundle->owner_id != visitor.user()->user.id) return NotFoundPage(visitor, req.path, nullptr);
  std::string url = BundleUrl(bundle->owner_username, bundle->name);
  if (!suffix.empty()) url += std::string(suffix) + "/";
  return RedirectTo(url);
}

}  // namespace pb::web
