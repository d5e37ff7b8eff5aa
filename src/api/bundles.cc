// /api/bundles/ and /api/bundles/{id}/ GET (spec §3.8.10): anonymous
// requests see public bundles, authenticated ones their own too; any other
// bundle is 404. Writes are the write side's.
#include "api/choices.h"
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/bundles_read.h"

namespace pb::api {
namespace {

using db::read::BundleFilter;
using db::read::BundleOrder;
using db::read::BundleRec;

std::optional<db::Id> Viewer(const Context& ctx) {
  if (!ctx.user) return std::nullopt;
  return ctx.user->user.id;
}

bool ParseFilter(Context& ctx, BundleFilter* f) {
  f->viewer = Viewer(ctx);
  if (!ProjectChoice(ctx, "project", &f->projects)) return false;
  if (!UserChoice(ctx, "owner", &f->owners)) return false;
  f->is_public = BoolFilter(ctx.params, "public");
  f->search = SearchTerms(ctx.params);
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "name", "owner"})) {
    f->order.emplace_back(name == "id"     ? BundleOrder::kId
                          : name == "name" ? BundleOrder::kName
                                           : BundleOrder::kOwner,
                          desc);
  }
  return true;
}

void WriteBundle(JsonWriter& w, Context& ctx, const BundleRec& b) {
  const auto& catalog = ctx.Catalog();
  const auto* project = catalog.Project(b.project_id);
  std::string web = "/bundle/" + PathQuote(b.owner.username) + "/" + PathQuote(b.name) + "/";
  w.BeginObject();
  w.Key("id");
  w.Int(b.id);
  w.Key("url");
  w.String(ctx.ApiUrl("bundles/" + std::to_string(b.id) + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl(web));
  }
  w.Key("project");
  if (project) WriteProjectEmbedMemo(w, ctx, *project); else w.Null();
  w.Key("name");
  w.String(b.name);
  w.Key("owner");
  WriteUserEmbed(w, ctx, b.owner);
  w.Key("patches");
  w.BeginArray();
  for (const auto& p : b.patches) WritePatchEmbed(w, ctx, p, catalog.Project(p.project_id));
  w.EndArray();
  w.Key("public");
  w.Bool(b.is_public);
  w.Key("mbox");
  w.String(ctx.SiteUrl(web + "mbox/"));
  w.EndObject();
}

}  // namespace

http::Response BundleListView(Context& ctx, const RouteArgs&) {
  BundleFilter f;
  bool possible = ParseFilter(ctx, &f);
  ctx.Catalog();
  int64_t count =
      possible ? db::read::CountBundles(ctx.conn(), f, &ctx.state.counts, ctx.generation) : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowReadCreate);
  std::vector<BundleRec> rows;
  if (count > 0) rows = db::read::ListBundles(ctx.conn(), f, page->size, page->offset());
  std::vector<BundleRec*> ptrs;
  for (auto& r : rows) ptrs.push_back(&r);
  db::read::LoadBundlePatches(ctx.conn(), ptrs);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& r : rows) WriteBundle(w, ctx, r);
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowReadCreate);
}

http::Response BundleDetailView(Context& ctx, const RouteArgs& args) {
  auto b = db::read::GetBundle(ctx.conn(), args.id, Viewer(ctx));
  if (!b) return NotFoundJson(kAllowAll);
  db::read::LoadBundlePatches(ctx.conn(), {&*b});
  std::string body;
  JsonWriter w(body);
  WriteBundle(w, ctx, *b);
  return JsonResponse(200, std::move(body), kAllowAll);
}

}  // namespace pb::api
