// The write registry (route name + method -> view), DRF's OPTIONS
// "actions" metadata and the shared helpers of the write views.
#include "api/writes.h"

#include <vector>

#include "api/filters.h"
#include "api/json_writer.h"
#include "api/response.h"
#include "api/webhook_views.h"
#include "db/read/bundles_read.h"
#include "db/read/comments_read.h"
#include "db/read/users_read.h"
#include "service/patch_updates.h"
#include "service/permissions.h"

namespace pb::api {
namespace {

struct WriteRoute {
  std::string_view route;
  std::string_view methods;  // "PUT PATCH"
  View view;
};

// constexpr: GCC otherwise fills this table from a constructor before main()
// in every process, `patchbay help` included (docs/performance.md, start-up
// round 7).
constexpr WriteRoute kWrites[] = {
    {"Patch Detail", "PUT PATCH", PatchUpdateView},
    {"Patch List", "PATCH", PatchBulkUpdateView},
    {"Check List Create", "POST", CheckCreateView},
    {"Check List", "POST", CheckCreateView},
    {"Bundle List", "POST", BundleCreateView},
    {"Bundle Detail", "PUT PATCH DELETE", BundleUpdateView},
    {"Patch Comment Detail", "PUT PATCH", PatchCommentUpdateView},
    {"Cover Comment Detail", "PUT PATCH", CoverCommentUpdateView},
    {"User Detail", "PUT PATCH", UserUpdateView},
    {"Project Detail", "PUT PATCH", ProjectUpdateView},
    {"Webhook List", "POST", WebhookCreateView},
    {"Webhook Detail", "DELETE", WebhookDeleteView},
    {"Webhook Detail", "PUT PATCH", WebhookUpdateView},
};

bool HasWord(std::string_view list, std::string_view word) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t sp = list.find(' ', pos);
    if (list.substr(pos, sp == std::string_view::npos ? sp : sp - pos) == word) return true;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return false;
}

// One entry of SimpleMetadata.get_field_info.
struct FieldInfo {
  std::string_view name;
  std::string_view type;
  bool required = false;
  bool read_only = true;
  std::string_view label;
  std::string_view help_text = {};
  int64_t max_length = 0;
  std::optional<int64_t> min_value = std::nullopt, max_value = std::nullopt;
  const std::vector<FieldInfo>* children = nullptr;
  bool check_choices = false;
};

void WriteFields(JsonWriter& w, const std::vector<FieldInfo>& fields) {
  w.BeginObject();
  for (const auto& f : fields) {
    w.Key(f.name);
    w.BeginObject();
    w.Key("type");
    w.String(f.type);
    w.Key("required");
    w.Bool(f.required);
    w.Key("read_only");
    w.Bool(f.read_only);
    w.Key("label");
    w.String(f.label);
    if (!f.help_text.empty()) {
      w.Key("help_text");
      w.String(f.help_text);
    }
    if (f.max_length) {
      w.Key("max_length");
      w.Int(f.max_length);
    }
    if (f.min_value) {
      w.Key("min_value");
      w.Int(*f.min_value);
    }
    if (f.max_value) {
      w.Key("max_value");
      w.Int(*f.max_value);
    }
    if (f.children) {
      w.Key("children");
      WriteFields(w, *f.children);
    }
    if (f.check_choices) {
      w.Key("choices");
      w.BeginArray();
      for (int i = 0; i < 4; ++i) {
        w.BeginObject();
        w.Key("value");
        w.Int(i);
        w.Key("display_name");
        w.String(service::CheckStateName(i));
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
}

FieldInfo RO(std::string_view name, std::string_view type, std::string_view label) {
  return FieldInfo{.name = name, .type = type, .label = label};
}
FieldInfo RW(std::string_view name, std::string_view type, std::string_view label, bool required = false,
             int64_t max_length = 0) {
  return FieldInfo{.name = name, .type = type, .required = required, .read_only = false, .label = label,
                   .max_length = max_length};
}

const std::vector<FieldInfo>& PatchFields() {
  static const std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"),        RO("url", "field", "Url"),
      RO("web_url", "field", "Web url"), RO("project", "field", "Project"),
      RO("msgid", "string", "Msgid"),    RO("list_archive_url", "field", "List archive url"),
      RO("date", "datetime", "Date"),    RO("name", "string", "Name"),
      RW("commit_ref", "string", "Commit ref", false, 255),
      RW("pull_url", "string", "Pull url", false, 255),
      RW("state", "field", "State", true), RW("archived", "boolean", "Archived"),
      RO("hash", "string", "Hash"),      RO("submitter", "field", "Submitter"),
      RW("delegate", "field", "Delegate", true), RO("mbox", "field", "Mbox"),
      RO("series", "field", "Series"),   RO("comments", "field", "Comments"),
      RO("check", "field", "Check"),     RO("checks", "field", "Checks"),
      RO("tags", "field", "Tags"),       RW("related", "field", "Related"),
      RO("headers", "field", "Headers"), RO("content", "string", "Content"),
      RO("diff", "string", "Diff"),      RO("prefixes", "field", "Prefixes"),
  };
  return f;
}

std::vector<FieldInfo> ProjectFields(const Context& ctx) {
  std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"), RO("url", "field", "Url"), RO("name", "string", "Name"),
      RO("link_name", "string", "Link name"), RO("list_id", "string", "List id"),
      RO("list_email", "string", "List email"), RW("web_url", "string", "Web url", false, 2000),
      RW("scm_url", "string", "Scm url", false, 2000), RW("webscm_url", "string", "Webscm url", false, 2000),
      RO("maintainers", "field", "Maintainers"),
      FieldInfo{.name = "subject_match", .type = "string", .label = "Subject match",
                .help_text = "Regex to match the subject against if only part of emails sent to the list "
                             "belongs to this project. Will be used with IGNORECASE and MULTILINE flags. If "
                             "rules for more projects match the first one returned from DB is chosen; empty "
                             "field serves as a default for every email which has no other match."},
      RW("list_archive_url", "string", "List archive url", false, 2000),
      FieldInfo{.name = "list_archive_url_format", .type = "string", .read_only = false,
                .label = "List archive url format",
                .help_text = "URL format for the list archive's Message-ID redirector. {} will be replaced by "
                             "the Message-ID.",
                .max_length = 2000},
      FieldInfo{.name = "commit_url_format", .type = "string", .read_only = false, .label = "Commit url format",
                .help_text = "URL format for a particular commit. {} will be replaced by the commit SHA.",
                .max_length = 2000},
  };
  if (ctx.AtLeast(kV14)) f.push_back(RW("show_dependencies", "boolean", "Show dependencies"));
  return f;
}

const std::vector<FieldInfo>& SettingsFields() {
  static const std::vector<FieldInfo> f = {
      FieldInfo{.name = "send_email", .type = "boolean", .read_only = false, .label = "Send email",
                .help_text = "Selecting this option allows patchwork to send email on your behalf"},
      FieldInfo{.name = "items_per_page", .type = "integer", .read_only = false, .label = "Items per page",
                .help_text = "Number of items to display per page", .min_value = 0,
                .max_value = 2147483647},
      FieldInfo{.name = "show_ids", .type = "boolean", .read_only = false, .label = "Show ids",
                .help_text = "Show click-to-copy patch IDs in the list view"},
  };
  return f;
}

const std::vector<FieldInfo>& UserFields() {
  static const std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"),
      RO("url", "field", "Url"),
      FieldInfo{.name = "username", .type = "string", .label = "Username",
                .help_text = "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."},
      RW("first_name", "string", "First name", false, 150),
      RW("last_name", "string", "Last name", false, 150),
      RO("email", "email", "Email address"),
      FieldInfo{.name = "settings", .type = "nested object", .required = true, .read_only = false,
                .label = "Settings", .children = &SettingsFields()},
  };
  return f;
}

const std::vector<FieldInfo>& CheckFields() {
  static const std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"),
      RO("url", "field", "Url"),
      RW("user", "field", "User"),
      RO("date", "datetime", "Date"),
      FieldInfo{.name = "state", .type = "choice", .read_only = false, .label = "State",
                .help_text = "The state of the check.", .check_choices = true},
      FieldInfo{.name = "target_url", .type = "url", .read_only = false, .label = "Target url",
                .help_text = "The target URL to associate with this check. This should be specific to the patch.",
                .max_length = 200},
      FieldInfo{.name = "context", .type = "slug", .read_only = false, .label = "Context",
                .help_text = "A label to discern check from checks of other testing systems.",
                .max_length = 255},
      FieldInfo{.name = "description", .type = "string", .read_only = false, .label = "Description",
                .help_text = "A brief description of the check."},
  };
  return f;
}

const std::vector<FieldInfo>& BundleFields() {
  static const std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"),         RO("url", "field", "Url"),
      RO("web_url", "field", "Web url"), RO("project", "field", "Project"),
      RW("name", "string", "Name", true, 50), RO("owner", "field", "Owner"),
      RW("patches", "field", "Patches", true), RW("public", "boolean", "Public"),
      RO("mbox", "field", "Mbox"),
  };
  return f;
}

const std::vector<FieldInfo>& CommentFields() {
  static const std::vector<FieldInfo> f = {
      RO("id", "integer", "ID"),         RO("url", "field", "Url"),
      RO("web_url", "field", "Web url"), RO("msgid", "string", "Msgid"),
      RO("list_archive_url", "field", "List archive url"), RO("date", "datetime", "Date"),
      RO("subject", "field", "Subject"), RO("submitter", "field", "Submitter"),
      RO("content", "string", "Content"), RO("headers", "field", "Headers"),
      RW("addressed", "boolean", "Addressed"),
  };
  return f;
}

std::optional<db::Id> UserId(const Context& ctx) {
  if (ctx.user) return ctx.user->user.id;
  return std::nullopt;
}

// Whether `method` would pass DRF's permission checks (and, for PUT, the
// object lookup) on this route; the fields the form/metadata shows.
const std::vector<FieldInfo>* Permitted(Context& ctx, std::string_view route, const RouteArgs& args,
                                        std::string_view method, std::vector<FieldInfo>* storage) {
  auto& conn = ctx.conn();
  auto uid = UserId(ctx);
  if (method == "PUT") {
    if (route == "Patch Detail") {
      return service::CanEditPatch(conn, uid, args.id) ? &PatchFields() : nullptr;
    }
    if (route == "Project Detail") {
      const auto& catalog = ctx.Catalog();
      const db::read::ProjectRec* p = nullptr;
      if (auto id = FilterInt(args.key)) p = catalog.Project(*id);
      if (!p) p = catalog.ProjectByLinkname(args.key);
      if (!p || !service::IsProjectMaintainer(conn, uid, p->id)) return nullptr;
      *storage = ProjectFields(ctx);
      return storage;
    }
    if (route == "User Detail") {
      return uid && *uid == args.id && db::read::RowExists(conn, db::read::Table::kUsers, args.id) ? &UserFields() : nullptr;
    }
    if (route == "Bundle Detail") {
      if (!ctx.AtLeast(kV12) || !uid) return nullptr;
      auto owner = db::read::FindBundleOwner(conn, args.id);
      return owner && *owner == *uid ? &BundleFields() : nullptr;
    }
    if (route == "Patch Comment Detail") {
      auto parent = db::read::CommentParentId(conn, db::read::CommentKind::kPatch, args.id2);
      return parent && *parent == args.id && service::CanEditPatchComment(conn, uid, args.id2) ? &CommentFields()
                                                                                                : nullptr;
    }
    if (route == "Cover Comment Detail") {
      auto parent = db::read::CommentParentId(conn, db::read::CommentKind::kCover, args.id2);
      return parent && *parent == args.id && service::CanEditCoverComment(conn, uid, args.id2) ? &CommentFields()
                                                                                                : nullptr;
    }
  }
  if (method == "POST") {
    // The check view's permission is checked inside create(): metadata
    // shows the form to everyone, as upstream does.
    if (route == "Check List Create" || route == "Check List") return &CheckFields();
    if (route == "Bundle List") return ctx.AtLeast(kV12) && uid ? &BundleFields() : nullptr;
  }
  return nullptr;
}

}  // namespace

View FindWriteView(std::string_view route_name, std::string_view method) {
  for (const auto& w : kWrites) {
    if (w.route == route_name && HasWord(w.methods, method)) return w.view;
  }
  return nullptr;
}

std::string WriteActionsJson(Context& ctx, std::string_view route_name, const RouteArgs& args) {
  std::string out;
  JsonWriter w(out);
  bool any = false;
  for (std::string_view method : {"PUT", "POST"}) {
    std::vector<FieldInfo> storage;
    const auto* fields = Permitted(ctx, route_name, args, method, &storage);
    if (!fields) continue;
    if (!any) w.BeginObject();
    any = true;
    w.Key(method);
    WriteFields(w, *fields);
  }
  if (!any) return "";
  w.EndObject();
  return out;
}

bool CanWriteForm(Context& ctx, std::string_view route_name, const RouteArgs& args, std::string_view method) {
  std::vector<FieldInfo> storage;
  return Permitted(ctx, route_name, args, method, &storage) != nullptr;
}

void AfterWrite(Context& ctx) {
  ctx.generation = -1;
  ctx.memo.clear();
}

http::Response PermissionDenied(const Context& ctx, std::string_view allow) {
  if (!ctx.user) return DetailError(403, "Authentication credentials were not provided.", allow);
  return DetailError(403, "You do not have permission to perform this action.", allow);
}

}  // namespace pb::api
