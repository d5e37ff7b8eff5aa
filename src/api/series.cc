// /api/series/ and /api/series/{id}/ (spec §3.8.7, §9.2 for 1.4): read-only.
#include "api/choices.h"
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/series_read.h"

namespace pb::api {
namespace {

using db::read::SeriesFilter;
using db::read::SeriesOrder;
using db::read::SeriesRec;

bool ParseFilter(Context& ctx, SeriesFilter* f) {
  if (!PersonChoice(ctx, "submitter", &f->submitters)) return false;
  if (!ProjectChoice(ctx, "project", &f->projects)) return false;
  auto since = DateFilter(ctx.params, "since");
  auto before = DateFilter(ctx.params, "before");
  if (since.invalid || before.invalid) return false;
  f->since = since.value;
  f->before = before.value;
  f->search = SearchTerms(ctx.params);
  // Upstream also lists received_all, which is not a column (500); ignored.
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "name", "date", "submitter"})) {
    f->order.emplace_back(name == "id"     ? SeriesOrder::kId
                          : name == "name" ? SeriesOrder::kName
                          : name == "date" ? SeriesOrder::kDate
                                           : SeriesOrder::kSubmitter,
                          desc);
  }
  return true;
}

// Whether dependency lists are shown for any of these series (API 1.4 and a
// project with show_dependencies).
bool WantDependencies(Context& ctx, const SeriesRec& s) {
  if (!ctx.AtLeast(kV14)) return false;
  const auto* p = s.project_id ? ctx.Catalog().Project(*s.project_id) : nullptr;
  return p && p->show_dependencies;
}

bool WantDependencies(Context& ctx, const std::vector<SeriesRec*>& rows) {
  for (const auto* s : rows) {
    if (WantDependencies(ctx, *s)) return true;
  }
  return false;
}

void WriteSeries(JsonWriter& w, Context& ctx, const SeriesRec& s) {
  const auto& catalog = ctx.Catalog();
  const auto* project = s.project_id ? catalog.Project(*s.project_id) : nullptr;
  std::string id = std::to_string(s.id);
  w.BeginObject();
  w.Key("id");
  w.Int(s.id);
  w.Key("url");
  w.String(ctx.ApiUrl("series/" + id + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    std::string path = "/project/";
    if (project) path += PathQuote(project->linkname);
    path += "/list/?series=" + id;
    w.String(ctx.SiteUrl(path));
  }
  w.Key("project");
  if (project) WriteProjectEmbedMemo(w, ctx, *project); else w.Null();
  w.Key("name");
  w.OptString(s.name);
  w.Key("date");
  w.String(FormatIsoDate(s.date));
  w.Key("submitter");
  WritePersonEmbed(w, ctx, s.submitter);
  w.Key("version");
  w.Int(s.version);
  w.Key("total");
  w.Int(s.total);
  auto received = static_cast<int64_t>(s.patches.size());
  w.Key("received_total");
  w.Int(received);
  w.Key("received_all");
  w.Bool(s.total <= received);
  w.Key("mbox");
  w.String(ctx.SiteUrl("/series/" + id + "/mbox/"));
  w.Key("cover_letter");
  if (s.cover_letter) {
    WriteCoverEmbed(w, ctx, *s.cover_letter, catalog.Project(s.cover_letter->project_id));
  } else {
    w.Null();
  }
  w.Key("patches");
  w.BeginArray();
  for (const auto& p : s.patches) WritePatchEmbed(w, ctx, p, catalog.Project(p.project_id));
  w.EndArray();
  if (ctx.AtLeast(kV14) && project && project->show_dependencies) {
    for (const auto* list : {&s.dependencies, &s.dependents}) {
      w.Key(list == &s.dependencies ? "dependencies" : "dependents");
      w.BeginArray();
      for (auto d : *list) w.String(ctx.ApiUrl("series/" + std::to_string(d) + "/"));
      w.EndArray();
    }
  }
  w.EndObject();
}

}  // namespace

http::Response SeriesListView(Context& ctx, const RouteArgs&) {
  SeriesFilter f;
  bool possible = ParseFilter(ctx, &f);
  ctx.Catalog();
  int64_t count =
      possible ? db::read::CountSeries(ctx.conn(), f, &ctx.state.counts, ctx.generation) : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::vector<SeriesRec> rows;
  if (count > 0) rows = db::read::ListSeries(ctx.conn(), f, page->size, page->offset(),
                                  ctx.state.page_ids.get(), ctx.generation);
  std::vector<SeriesRec*> ptrs;
  for (auto& r : rows) ptrs.push_back(&r);
  db::read::LoadSeriesExtras(ctx.conn(), ptrs, WantDependencies(ctx, ptrs));
  std::string body;
  body.reserve(rows.size() * 2500 + 2);
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& r : rows) WriteSeries(w, ctx, r);
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response SeriesDetailView(Context& ctx, const RouteArgs& args) {
  std::optional<SeriesRec> s;
  // PostgreSQL: the series, its patches, its dependency links and the
  // generation in one statement outside the snapshot (no BEGIN, no
  // ROLLBACK), used when Context::ReadAlone says it stands, as in
  // PatchDetailView; otherwise the snapshot path below.
  db::read::SeriesAlone alone;
  if (ctx.ReadAlone([&] {
        alone = db::read::GetSeriesAlone(ctx.conn(), args.id, ctx.state.embeds.get(),
                                         ctx.state.catalog.generation());
        return std::pair{alone.series.has_value(), alone.generation};
      })) {
    s = std::move(alone.series);
    if (s && WantDependencies(ctx, *s)) {
      s->dependencies = std::move(alone.dependencies);
      s->dependents = std::move(alone.dependents);
    }
  } else {
    // The series and its patches are sent ahead (with the snapshot's
    // BEGIN) and the catalog's generation behind them: one round trip on
    // PostgreSQL.
    s = db::read::GetSeriesWithExtras(ctx.conn(), args.id, [&] { ctx.Catalog(); },
                                      [&](const SeriesRec& r) { return WantDependencies(ctx, r); });
  }
  if (!s) return NotFoundJson(kAllowRead);
  std::string body;
  JsonWriter w(body);
  WriteSeries(w, ctx, *s);
  return JsonResponse(200, std::move(body), kAllowRead);
}

}  // namespace pb::api
