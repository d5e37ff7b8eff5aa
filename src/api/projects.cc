// /api/projects/ and /api/projects/{id or linkname}/ (spec §3.8.1). Projects
// come from the per-thread catalog, so these views run one statement.
#include <algorithm>

#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"

namespace pb::api {
namespace {

using db::read::ProjectRec;

void WriteProject(JsonWriter& w, const Context& ctx, const ProjectRec& p) {
  w.BeginObject();
  WriteProjectLeadingFields(w, ctx, p);
  w.Key("maintainers");
  w.BeginArray();
  for (const auto& m : p.maintainers) WriteUserEmbed(w, ctx, m);
  w.EndArray();
  if (ctx.AtLeast(kV11)) {
    w.Key("subject_match");
    w.String(p.subject_match);
  }
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.String(p.list_archive_url);
    w.Key("list_archive_url_format");
    w.String(p.list_archive_url_format);
    w.Key("commit_url_format");
    w.String(p.commit_url_format);
  }
  if (ctx.AtLeast(kV14)) {
    w.Key("show_dependencies");
    w.Bool(p.show_dependencies);
  }
  w.EndObject();
}

}  // namespace

http::Response ProjectListView(Context& ctx, const RouteArgs&) {
  const auto& all = ctx.Catalog().projects();
  std::vector<const ProjectRec*> rows;
  for (const auto& p : all) rows.push_back(&p);
  // Upstream also lists link_name/list_id (and search fields) that crash
  // with a 500; patchbay ignores them instead (docs/compatibility.md).
  auto order = OrderTerms(ctx.params, {"id", "name"});
  if (!order.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const ProjectRec* a, const ProjectRec* b) {
      for (const auto& [name, desc] : order) {
        int c = name == "id" ? (a->id < b->id ? -1 : a->id > b->id) : a->name.compare(b->name);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      return a->id < b->id;
    });
  }
  auto page = ResolvePage(ctx.params, static_cast<int64_t>(rows.size()));
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (int64_t i = page->offset(); i < std::min<int64_t>(page->offset() + page->size, page->count); ++i) {
    WriteProject(w, ctx, *rows[static_cast<size_t>(i)]);
  }
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response ProjectDetailView(Context& ctx, const RouteArgs& args) {
  const auto& catalog = ctx.Catalog();
  const ProjectRec* p = nullptr;
  // An integer is tried as an id first, then everything as a linkname.
  if (auto id = FilterInt(args.key)) p = catalog.Project(*id);
  if (!p) p = catalog.ProjectByLinkname(args.key);
  if (!p) return NotFoundJson(kAllowReadUpdate);
  std::string body;
  JsonWriter w(body);
  WriteProject(w, ctx, *p);
  return JsonResponse(200, std::move(body), kAllowReadUpdate);
}

}  // namespace pb::api
