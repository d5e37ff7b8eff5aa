// Writes on checks (POST, spec §3.8.9), bundles (POST/PUT/PATCH/DELETE,
// §3.8.10), comments (`addressed`, §3.8.8), users (§3.8.3) and projects
// (§3.8.1). Each validates like DRF, checks permissions in DRF's order
// (object lookup, then permission, then body), calls one service function
// and answers with the read view's representation.
#include <set>

#include <boost/json.hpp>

#include "api/drf_fields.h"
#include "api/filters.h"
#include "api/json_writer.h"
#include "api/request_body.h"
#include "api/response.h"
#include "api/writes.h"
#include "db/read/bundles_read.h"
#include "db/read/comments_read.h"
#include "db/read/patches_read.h"
#include "db/read/users_read.h"
#include "service/bundle_names.h"
#include "service/bundles.h"
#include "service/comment_updates.h"
#include "service/patch_updates.h"
#include "service/permissions.h"
#include "service/user_updates.h"

namespace pb::api {
namespace {

std::optional<db::Id> UserId(const Context& ctx) {
  if (ctx.user) return ctx.user->user.id;
  return std::nullopt;
}

// The parsed body, or the error response.
const RequestData* Body(Context& ctx, std::variant<RequestData, http::Response>& parsed) {
  (void)ctx;
  return std::get_if<RequestData>(&parsed);
}

// A read view's answer turned into a write's: status, Allow and Location.
http::Response Rewrap(http::Response r, int status, std::string_view allow,
                      std::optional<std::string> location = std::nullopt) {
  r.status = status;
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto& h : r.headers) {
    if (h.first == "Allow") h.second = std::string(allow);
    headers.push_back(std::move(h));
    if (location && headers.back().first == "Content-Type") headers.emplace_back("Location", *location);
  }
  r.headers = std::move(headers);
  return r;
}

// The "url" of a rendered object (its first "url" key).
std::string UrlOf(const std::string& body) {
  try {
    auto v = boost::json::parse(body);
    if (const auto* u = v.as_object().if_contains("url")) return std::string(u->as_string());
  } catch (...) {
  }
  return "";
}

}  // namespace

// ---- checks ----

http::Response CheckCreateView(Context& ctx, const RouteArgs& args) {
  const std::string_view allow = kAllowReadCreate;
  auto& conn = ctx.conn();
  if (!db::read::PatchProjectId(conn, args.id)) return NotFoundJson(allow);
  // This view does its own check, with the generic message for everyone.
  if (!service::CanEditPatch(conn, UserId(ctx), args.id)) {
    return DetailError(403, "You do not have permission to perform this action.", allow);
  }
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  const auto* state_raw = data.Get("state");
  if (!state_raw || (state_raw->is_string() && state_raw->as_string().empty())) {
    errs.Add("state", "A check must have a state.");
    return ValidationErrorResponse(errs, allow);
  }
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  Input in{data, false, errs};
  service::NewCheck check;
  check.patch_id = args.id;
  check.user_id = ctx.user->user.id;
  // user: writable, defaults to the requester (quirk, spec §3.8.9).
  auto user = ReadPk(in, {.name = "user"}, [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kUsers, id); });
  if (user.set && user.value) check.user_id = *user.value;
  // state: a label is swapped for its code first, then ChoiceField.
  {
    boost::json::value v;
    Raw r = ReadRaw(in, {.name = "state", .required = true}, &v);
    if (r == Raw::kValue) {
      std::string s = PyStr(v);
      if (v.is_string() || v.is_int64() || v.is_uint64()) {
        if (auto st = service::ParseCheckState(s)) {
          check.state = *st;
        } else {
          errs.Add("state", "\"" + s + "\" is not a valid choice.");
        }
      } else {
        errs.Add("state", "\"" + s + "\" is not a valid choice.");
      }
    }
  }
  auto target = ReadChar(in, {.name = "target_url", .allow_null = true, .allow_blank = true, .max_length = 200},
                         CharKind::kUrl);
  if (target.set) check.target_url = target.value;
  auto context = ReadChar(in, {.name = "context", .max_length = 255}, CharKind::kSlug);
  if (context.set && context.value) check.context = *context.value;
  auto description = ReadChar(in, {.name = "description", .allow_null = true, .allow_blank = true});
  if (description.set) check.description = description.value;
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);

  auto id = service::CreateCheck(conn, check);
  if (!id.ok()) return id.status().code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
  AfterWrite(ctx);
  RouteArgs a;
  a.id = args.id;
  a.id2 = *id;
  http::Response r = CheckDetailView(ctx, a);
  std::string url = UrlOf(r.body);
  return Rewrap(std::move(r), 201, allow, url);
}

// ---- bundles ----

namespace {

// name, patches, public in serializer order; `partial` for PATCH.
service::BundleChanges ReadBundle(Context& ctx, const RequestData& data, bool partial, FieldErrors& errs) {
  auto& conn = ctx.conn();
  Input in{data, partial, errs};
  service::BundleChanges ch;
  auto name = ReadChar(in, {.name = "name", .required = true, .max_length = 50});
  if (name.set && name.value) {
    if (auto error = service::BundleNameError(*name.value)) {
      errs.Add("name", *error);
    } else {
      ch.name = *name.value;
    }
  }
  auto patches = ReadPkList(in, {.name = "patches", .required = true},
                            [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kPatches, id); });
  if (patches.set && patches.value) {
    if (patches.value->empty()) {
      errs.Add("patches", "Bundles cannot be empty");
    } else {
      std::set<db::Id> projects;
      for (auto id : *patches.value) projects.insert(db::read::PatchProjectId(conn, id).value_or(0));
      if (projects.size() > 1) {
        errs.Add("patches", "Bundle patches must belong to the same project");
      } else {
        ch.patches = *patches.value;
      }
    }
  }
  auto is_public = ReadBool(in, {.name = "public"});
  if (is_public.set && is_public.value) ch.is_public = *is_public.value;
  return ch;
}

constexpr std::string_view kDuplicateBundle = "The fields owner, name must make a unique set.";

}  // namespace

http::Response BundleCreateView(Context& ctx, const RouteArgs&) {
  const std::string_view allow = kAllowReadCreate;
  if (!ctx.AtLeast(kV12)) return MethodNotAllowed(ctx.req.method, allow);
  if (!ctx.user) return PermissionDenied(ctx, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  auto ch = ReadBundle(ctx, data, false, errs);
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  auto id = service::CreateBundle(ctx.conn(), ctx.user->user.id, *ch.name, ch.is_public.value_or(false),
                                  *ch.patches);
  if (!id.ok()) {
    if (id.status().code() == Code::kDuplicate) {
      // Upstream: an unhandled IntegrityError (500). patchbay answers with
      // DRF's unique-together message.
      errs.Add("detail", std::string(kDuplicateBundle));
      return ValidationErrorResponse(errs, allow);
    }
    return ServerError();
  }
  AfterWrite(ctx);
  RouteArgs a;
  a.id = *id;
  http::Response r = BundleDetailView(ctx, a);
  std::string url = UrlOf(r.body);
  return Rewrap(std::move(r), 201, allow, url);
}

http::Response BundleUpdateView(Context& ctx, const RouteArgs& args) {
  const std::string_view allow = kAllowAll;
  if (!ctx.AtLeast(kV12)) return MethodNotAllowed(ctx.req.method, allow);
  auto& conn = ctx.conn();
  auto b = db::read::FindBundleAccess(conn, args.id);
  bool owner = b && ctx.user && ctx.user->user.id == b->owner_id;
  if (!b || (!owner && !b->is_public)) return NotFoundJson(allow);
  if (!owner) return PermissionDenied(ctx, allow);
  if (ctx.req.method == "DELETE") {
    Status s = service::DeleteBundle(conn, b->id);
    if (!s.ok()) return s.code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
    http::Response r;
    r.status = 204;
    r.headers = {{"Vary", "Accept, Cookie"}, {"Allow", std::string(allow)}, {"X-Frame-Options", "DENY"}};
    return r;
  }
  bool partial = ctx.req.method == "PATCH";
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  auto ch = ReadBundle(ctx, data, partial, errs);
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  Status s = service::UpdateBundle(conn, b->id, ch);
  if (!s.ok()) {
    if (s.code() == Code::kDuplicate) {
      errs.Add("detail", std::string(kDuplicateBundle));
      return ValidationErrorResponse(errs, allow);
    }
    return s.code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
  }
  AfterWrite(ctx);
  return Rewrap(BundleDetailView(ctx, args), 200, allow);
}

// ---- comments ----

namespace {

http::Response CommentUpdate(Context& ctx, const RouteArgs& args, service::CommentKind kind) {
  const std::string_view allow = kAllowReadUpdate;
  auto& conn = ctx.conn();
  bool patch = kind == service::CommentKind::kPatch;
  if (!db::read::RowExists(conn, patch ? db::read::Table::kPatches : db::read::Table::kCovers, args.id)) return NotFoundJson(allow);
  auto parent = db::read::CommentParentId(
      conn, patch ? db::read::CommentKind::kPatch : db::read::CommentKind::kCover, args.id2);
  if (!parent || *parent != args.id) return NotFoundJson(allow);
  bool editable = patch ? service::CanEditPatchComment(conn, UserId(ctx), args.id2)
                        : service::CanEditCoverComment(conn, UserId(ctx), args.id2);
  if (!editable) return PermissionDenied(ctx, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  Input in{data, ctx.req.method == "PATCH", errs};
  auto addressed = ReadBool(in, {.name = "addressed", .allow_null = true});
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  std::optional<std::optional<bool>> change;
  if (addressed.set) change = addressed.value;
  Status s = service::SetCommentAddressed(conn, kind, args.id2, change);
  if (!s.ok()) return s.code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
  AfterWrite(ctx);
  return Rewrap(patch ? PatchCommentDetailView(ctx, args) : CoverCommentDetailView(ctx, args), 200, allow);
}

}  // namespace

http::Response PatchCommentUpdateView(Context& ctx, const RouteArgs& args) {
  return CommentUpdate(ctx, args, service::CommentKind::kPatch);
}

http::Response CoverCommentUpdateView(Context& ctx, const RouteArgs& args) {
  return CommentUpdate(ctx, args, service::CommentKind::kCover);
}

// ---- users ----

http::Response UserUpdateView(Context& ctx, const RouteArgs& args) {
  const std::string_view allow = kAllowReadUpdate;
  auto& conn = ctx.conn();
  if (!db::read::RowExists(conn, db::read::Table::kUsers, args.id)) return NotFoundJson(allow);
  if (!ctx.user || ctx.user->user.id != args.id) return PermissionDenied(ctx, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  bool partial = ctx.req.method == "PATCH";
  Input in{data, partial, errs};
  service::UserChanges ch;
  auto first = ReadChar(in, {.name = "first_name", .allow_blank = true, .max_length = 150});
  if (first.set && first.value) ch.first_name = *first.value;
  auto last = ReadChar(in, {.name = "last_name", .allow_blank = true, .max_length = 150});
  if (last.set && last.value) ch.last_name = *last.value;
  // settings: a nested serializer, required on PUT.
  std::optional<RequestData> nested;
  if (data.is_form()) {
    nested = data.Nested("settings");
    bool any = !nested->json().as_object().empty();
    if (!any && partial) nested.reset();
  } else if (const auto* s = data.Get("settings")) {
    if (s->is_null()) {
      errs.Add("settings", "This field may not be null.");
    } else if (!s->is_object()) {
      FieldErrors inner;
      inner.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                              RequestData::PyTypeName(*s) + ".");
      errs.AddNested("settings", inner.ToJson());
    } else {
      nested = RequestData::Json(*s);
    }
  } else if (!partial) {
    errs.Add("settings", "This field is required.");
  }
  bool settings_given = false;
  if (nested) {
    FieldErrors inner;
    Input nin{*nested, partial, inner};
    auto send_email = ReadBool(nin, {.name = "send_email"});
    auto items = ReadInt(nin, {.name = "items_per_page"}, 0, 2147483647);
    auto show_ids = ReadBool(nin, {.name = "show_ids"});
    if (!inner.empty()) {
      errs.AddNested("settings", inner.ToJson());
    } else {
      // Upstream ignores settings before 1.2 (and an empty object).
      settings_given = send_email.set || items.set || show_ids.set;
      if (settings_given && ctx.AtLeast(kV12)) {
        if (send_email.set && send_email.value) ch.send_email = *send_email.value;
        if (items.set && items.value) ch.items_per_page = *items.value;
        if (show_ids.set && show_ids.value) ch.show_ids = *show_ids.value;
      }
    }
  }
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  Status s = service::UpdateUser(conn, args.id, ch);
  if (!s.ok()) return s.code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
  AfterWrite(ctx);
  return Rewrap(UserDetailView(ctx, args), 200, allow);
}

// ---- projects ----

http::Response ProjectUpdateView(Context& ctx, const RouteArgs& args) {
  const std::string_view allow = kAllowReadUpdate;
  const auto& catalog = ctx.Catalog();
  const db::read::ProjectRec* p = nullptr;
  if (auto id = FilterInt(args.key)) p = catalog.Project(*id);
  if (!p) p = catalog.ProjectByLinkname(args.key);
  if (!p) return NotFoundJson(allow);
  db::Id project_id = p->id;
  if (!service::IsProjectMaintainer(ctx.conn(), UserId(ctx), project_id)) return PermissionDenied(ctx, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const RequestData& data = *Body(ctx, parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  Input in{data, ctx.req.method == "PATCH", errs};
  service::ProjectChanges ch;
  auto url = [&](std::string_view name, std::optional<std::string>* out) {
    auto v = ReadChar(in, {.name = name, .allow_blank = true, .max_length = 2000});
    if (v.set && v.value) *out = *v.value;
  };
  url("web_url", &ch.web_url);
  url("scm_url", &ch.scm_url);
  url("webscm_url", &ch.webscm_url);
  url("list_archive_url", &ch.list_archive_url);
  url("list_archive_url_format", &ch.list_archive_url_format);
  url("commit_url_format", &ch.commit_url_format);
  auto deps = ReadBool(in, {.name = "show_dependencies"});
  // The form default (missing = false) only applies where the field exists.
  if (deps.set && deps.value && (ctx.AtLeast(kV14) || data.Has("show_dependencies"))) {
    ch.show_dependencies = *deps.value;
  }
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  Status s = service::UpdateProject(ctx.conn(), project_id, ch);
  if (!s.ok()) return s.code() == Code::kNotFound ? NotFoundJson(allow) : ServerError();
  AfterWrite(ctx);
  RouteArgs a;
  a.key = std::to_string(project_id);
  return Rewrap(ProjectDetailView(ctx, a), 200, allow);
}

}  // namespace pb::api
