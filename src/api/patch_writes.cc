// PUT/PATCH /api/patches/{id}/ (spec §3.8.5) and the bulk update extension
// PATCH /api/patches/ with a JSON list (docs/compatibility.md).
#include <algorithm>
#include <cctype>
#include <set>

#include <boost/json.hpp>

#include "api/drf_fields.h"
#include "api/json_writer.h"
#include "api/request_body.h"
#include "api/response.h"
#include "api/writes.h"
#include "db/read/patches_read.h"
#include "db/read/users_read.h"
#include "service/patch_edits.h"
#include "service/permissions.h"

namespace pb::api {
namespace {

constexpr std::string_view kConflict =
    "At least one patch is already part of another relation. You have to explicitly remove a patch "
    "from its existing relation before moving it to this one.";
constexpr std::string_view kNotMaintaining =
    "At least one patch is part of a project you are not maintaining.";

struct PatchRow {
  db::Id id = 0;
  db::Id project_id = 0;
};

std::optional<PatchRow> LoadPatch(db::Connection& c, db::Id id) {
  auto project = db::read::PatchProjectId(c, id);
  if (!project) return std::nullopt;
  return PatchRow{id, *project};
}

// django.utils.text.slugify(value.lower()) for ASCII input; other
// characters are dropped (NFKD-to-ASCII of accented letters is not done).
std::string Slugify(std::string_view in) {
  std::string s;
  for (unsigned char c : in) {
    if (c >= 0x80) continue;
    char l = static_cast<char>(std::tolower(c));
    if (std::isalnum(static_cast<unsigned char>(l)) || l == '_' || l == '-' || std::isspace(c)) s += l;
  }
  std::string out;
  bool run = false;
  for (char c : s) {
    if (c == '-' || std::isspace(static_cast<unsigned char>(c))) {
      run = true;
      continue;
    }
    if (run && !out.empty()) out += '-';
    if (run && out.empty()) out += '-';
    run = false;
    out += c;
  }
  if (run) out += '-';
  // Django >= 4: strip('-_').
  size_t b = out.find_first_not_of("-_");
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of("-_");
  return out.substr(b, e - b + 1);
}

// Reads one patch's writable fields in serializer order; errors go to `errs`.
service::PatchEdit ReadPatchEdit(Context& ctx, const RequestData& data, bool partial, const PatchRow& patch,
                                 FieldErrors& errs) {
  Input in{data, partial, errs};
  service::PatchEdit edit;
  edit.patch_id = patch.id;
  auto& conn = ctx.conn();

  auto commit_ref = ReadChar(in, {.name = "commit_ref", .allow_null = true, .allow_blank = true, .max_length = 255});
  if (commit_ref.set) edit.changes.commit_ref = commit_ref.value;
  auto pull_url = ReadChar(in, {.name = "pull_url", .allow_null = true, .allow_blank = true, .max_length = 255});
  if (pull_url.set) edit.changes.pull_url = pull_url.value;

  // state: StateField (required on PUT).
  {
    FieldSpec spec{.name = "state", .required = true};
    const auto* raw = data.Get("state");
    boost::json::value v;
    Raw r = Raw::kAbsent;
    if (raw && raw->is_string() && raw->as_string().empty()) {
      errs.Add("state", "This field may not be null.");  // RelatedField: '' is None
    } else {
      r = ReadRaw(in, spec, &v);
    }
    if (r == Raw::kValue) {
      if (!v.is_string()) {
        // Upstream crashes (500) calling .lower() on a non-string.
        errs.Add("state", std::string("Incorrect type. Expected string value, received ") +
                              RequestData::PyTypeName(v) + ".");
      } else {
        std::string slug = Slugify(v.as_string());
        const auto& catalog = ctx.Catalog();
        const db::read::StateRec* found = nullptr;
        for (const auto& s : catalog.states()) {
          if (s.slug == slug) found = &s;
        }
        if (found) {
          edit.changes.state_id = found->id;
        } else {
          std::string choices;
          for (const auto& s : catalog.states()) {
            if (!choices.empty()) choices += ", ";
            choices += s.slug;
          }
          errs.Add("state", "Invalid state " + slug + ". Expected one of: " + choices + ".");
        }
      }
    }
  }

  auto archived = ReadBool(in, {.name = "archived"});
  if (archived.set && archived.value) edit.changes.archived = *archived.value;

  auto delegate = ReadPk(in, {.name = "delegate", .required = true, .allow_null = true},
                         [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kUsers, id); });
  if (delegate.set) {
    if (delegate.value && !service::IsProjectMaintainer(conn, *delegate.value, patch.project_id)) {
      auto u = db::read::UserById(conn, *delegate.value);
      const auto* project = ctx.Catalog().Project(patch.project_id);
      errs.Add("delegate", "User '" + (u ? u->user.username : std::string()) +
                               "' is not a maintainer for project '" + (project ? project->name : "") + "'");
    } else {
      edit.changes.delegate_id = delegate.value;
    }
  }

  auto related = ReadPkList(in, {.name = "related"},
                            [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kPatches, id); });
  if (related.set) {
    edit.related = related.value.value_or(std::vector<int64_t>{});
  } else if (!partial && !errs.Has("related")) {
    edit.related = std::vector<int64_t>{};  // default=[] on a full update
  }
  return edit;
}

std::string RelationMessage(service::RelationResult r) {
  return std::string(r == service::RelationResult::kConflict ? kConflict : kNotMaintaining);
}

int RelationStatus(service::RelationResult r) {
  return r == service::RelationResult::kConflict ? 409 : 403;
}

// The detail representation; a PATCH answer has no `related` key when the
// patch is in no relation (DRF skips the defaulted field on partial saves).
std::string DetailBody(Context& ctx, db::Id id, bool partial) {
  RouteArgs a;
  a.id = id;
  std::string body = PatchDetailView(ctx, a).body;
  if (partial) {
    static constexpr std::string_view kEmpty = ",\"related\":[]";
    size_t pos = body.find(kEmpty);
    if (pos != std::string::npos) body.erase(pos, kEmpty.size());
  }
  return body;
}

}  // namespace

http::Response PatchUpdateView(Context& ctx, const RouteArgs& args) {
  const std::string_view allow = kAllowReadUpdate;
  bool partial = ctx.req.method == "PATCH";
  auto patch = LoadPatch(ctx.conn(), args.id);
  if (!patch) return NotFoundJson(allow);
  std::optional<db::Id> user;
  if (ctx.user) user = ctx.user->user.id;
  if (!service::CanEditPatch(ctx.conn(), user, patch->id)) return PermissionDenied(ctx, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  if (auto* err = std::get_if<http::Response>(&parsed)) return std::move(*err);
  const auto& data = std::get<RequestData>(parsed);
  FieldErrors errs;
  if (!data.is_object()) {
    errs.Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                           RequestData::PyTypeName(data.json()) + ".");
    return ValidationErrorResponse(errs, allow);
  }
  auto edit = ReadPatchEdit(ctx, data, partial, *patch, errs);
  if (!errs.empty()) return ValidationErrorResponse(errs, allow);
  auto result = service::ApplyPatchEdits(ctx.conn(), {edit}, user);
  if (!result.status.ok()) {
    if (result.relation != service::RelationResult::kOk &&
        result.relation != service::RelationResult::kNotFound) {
      return DetailError(RelationStatus(result.relation), RelationMessage(result.relation), allow);
    }
    if (result.status.code() == Code::kNotFound) return NotFoundJson(allow);
    return ServerError();
  }
  AfterWrite(ctx);
  return JsonResponse(200, DetailBody(ctx, patch->id, partial), allow);
}

// A page of the largest list the API serves (per_page caps at 250 upstream)
// is well under this; a maintainer's bulk triage fits in a few requests.
constexpr size_t kMaxBulkPatches = 1000;

// PATCH /api/patches/ with [{"id": N, ...}, ...]: every item is validated
// and checked like a single PATCH; all are applied in one transaction or
// none. Anything but a JSON list keeps the list view's 405.
http::Response PatchBulkUpdateView(Context& ctx, const RouteArgs&) {
  const std::string_view allow = kAllowRead;
  if (ctx.req.method != "PATCH") return MethodNotAllowed(ctx.req.method, allow);
  auto parsed = ParseRequestBody(ctx.req, allow);
  const RequestData* data = std::get_if<RequestData>(&parsed);
  if (!data || data->is_form() || !data->json().is_array()) return MethodNotAllowed("PATCH", allow);
  if (!ctx.user) return PermissionDenied(ctx, allow);
  db::Id user = ctx.user->user.id;
  const auto& items = data->json().as_array();
  // Checked before any item is looked at: the whole update is one
  // transaction, and its cost grows with the count.
  if (items.size() > kMaxBulkPatches) {
    return DetailError(400, "A bulk update takes at most " + std::to_string(kMaxBulkPatches) +
                                " patches.", allow);
  }
  auto& conn = ctx.conn();

  std::vector<FieldErrors> errors(items.size());
  std::vector<std::optional<PatchRow>> rows(items.size());
  bool bad_ids = false;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (!item.is_object()) {
      errors[i].Add("detail", std::string("Invalid data. Expected a dictionary, but got ") +
                                  RequestData::PyTypeName(item) + ".");
      bad_ids = true;
      continue;
    }
    const auto* id = item.as_object().if_contains("id");
    if (!id || id->is_null()) {
      errors[i].Add("id", id ? "This field may not be null." : "This field is required.");
      bad_ids = true;
      continue;
    }
    auto pk = PkValue(*id);
    if (auto* msg = std::get_if<std::string>(&pk)) {
      errors[i].Add("id", *msg);
      bad_ids = true;
      continue;
    }
    rows[i] = LoadPatch(conn, std::get<int64_t>(pk));
    if (!rows[i]) {
      errors[i].Add("id", "Invalid pk \"" + PyStr(*id) + "\" - object does not exist.");
      bad_ids = true;
    }
  }
  auto list_response = [&](int status) {
    std::string body = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i) body += ',';
      body += errors[i].ToJson();
    }
    body += ']';
    return JsonResponse(status, std::move(body), allow);
  };
  if (bad_ids) {
    // Report the field errors of the other items too, in one answer.
    for (size_t i = 0; i < items.size(); ++i) {
      if (!rows[i]) continue;
      RequestData item = RequestData::Json(items[i]);
      ReadPatchEdit(ctx, item, /*partial=*/true, *rows[i], errors[i]);
    }
    return list_response(400);
  }

  // Permissions before validation, as for a single PATCH.
  bool denied = false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!service::CanEditPatch(conn, user, rows[i]->id)) {
      errors[i].Add("detail", "You do not have permission to perform this action.");
      denied = true;
    }
  }
  if (denied) {
    // A list of {"detail": [...]} would differ from DRF's 403 shape: use a
    // plain string per failing item.
    std::string body = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i) body += ',';
      body += errors[i].empty() ? "{}" : "{\"detail\":\"You do not have permission to perform this action.\"}";
    }
    body += ']';
    return JsonResponse(403, std::move(body), allow);
  }

  std::vector<service::PatchEdit> edits;
  bool invalid = false;
  for (size_t i = 0; i < items.size(); ++i) {
    RequestData item = RequestData::Json(items[i]);
    edits.push_back(ReadPatchEdit(ctx, item, /*partial=*/true, *rows[i], errors[i]));
    if (!errors[i].empty()) invalid = true;
  }
  if (invalid) return list_response(400);

  auto result = service::ApplyPatchEdits(conn, edits, user);
  if (!result.status.ok()) {
    if (result.relation != service::RelationResult::kOk &&
        result.relation != service::RelationResult::kNotFound) {
      std::string body = "[";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) body += ',';
        if (i == result.failed_index) {
          body += "{\"detail\":";
          AppendJsonString(body, RelationMessage(result.relation));
          body += '}';
        } else {
          body += "{}";
        }
      }
      body += ']';
      return JsonResponse(RelationStatus(result.relation), std::move(body), allow);
    }
    return ServerError();
  }
  AfterWrite(ctx);
  std::string body = "[";
  for (size_t i = 0; i < edits.size(); ++i) {
    if (i) body += ',';
    body += DetailBody(ctx, edits[i].patch_id, /*partial=*/true);
  }
  body += ']';
  return JsonResponse(200, std::move(body), allow);
}

}  // namespace pb::api
