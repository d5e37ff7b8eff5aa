// /api/covers/ and /api/covers/{id}/ (spec §3.8.6): read-only.
#include "api/choices.h"
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/covers_read.h"

namespace pb::api {
namespace {

using db::read::CoverFilter;
using db::read::CoverOrder;
using db::read::CoverRec;

// Builds the filter from the query; false means "no cover can match".
bool ParseFilter(Context& ctx, CoverFilter* f) {
  if (!ProjectChoice(ctx, "project", &f->projects)) return false;
  // Upstream validates `series` against *project* ids and then fails with a
  // 500 (spec §3.10); patchbay filters by series id as intended
  // (docs/compatibility.md).
  if (!IdChoice(ctx, "series", db::read::Table::kSeries, &f->series)) return false;
  if (!PersonChoice(ctx, "submitter", &f->submitters)) return false;
  if (auto m = TextFilter(ctx.params, "msgid")) f->msgid = "<" + *m + ">";
  auto since = DateFilter(ctx.params, "since");
  auto before = DateFilter(ctx.params, "before");
  if (since.invalid || before.invalid) return false;
  f->since = since.value;
  f->before = before.value;
  f->search = SearchTerms(ctx.params);
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "name", "date", "submitter"})) {
    f->order.emplace_back(name == "id"     ? CoverOrder::kId
                          : name == "name" ? CoverOrder::kName
                          : name == "date" ? CoverOrder::kDate
                                           : CoverOrder::kSubmitter,
                          desc);
  }
  return true;
}

void WriteCover(JsonWriter& w, Context& ctx, const CoverRec& c, bool detail) {
  const auto& catalog = ctx.Catalog();
  const auto* project = catalog.Project(c.project_id);
  std::string web = CoverWebPath(project ? project->linkname : "", c.msgid);
  std::string id = std::to_string(c.id);
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  w.Key("url");
  w.String(ctx.ApiUrl("covers/" + id + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl(web));
  }
  w.Key("project");
  if (project) WriteProjectEmbedMemo(w, ctx, *project); else w.Null();
  w.Key("msgid");
  w.String(c.msgid);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.OptString(ListArchiveUrl(project, c.msgid));
  }
  w.Key("date");
  w.String(FormatIsoDate(c.date));
  w.Key("name");
  w.String(c.name);
  w.Key("submitter");
  WritePersonEmbed(w, ctx, c.submitter);
  if (ctx.AtLeast(kV11)) {
    w.Key("mbox");
    w.String(ctx.SiteUrl(web + "mbox/"));
  }
  // A list of 0 or 1 series, as for patches.
  w.Key("series");
  w.BeginArray();
  if (c.series) {
    const auto* sp = c.series->project_id ? catalog.Project(*c.series->project_id) : project;
    WriteSeriesEmbed(w, ctx, *c.series, sp);
  }
  w.EndArray();
  if (ctx.AtLeast(kV11)) {
    // Upstream reverses this link without the version segment.
    w.Key("comments");
    w.String(ctx.UnversionedApiUrl("covers/" + id + "/comments/"));
  }
  if (detail) {
    w.Key("headers");
    WriteHeadersObject(w, c.headers);
    w.Key("content");
    w.OptString(c.content);
  }
  w.EndObject();
}

}  // namespace

namespace {

http::Response CoverListPage(Context& ctx, const Page& page, const std::vector<CoverRec>& rows) {
  std::string body;
  body.reserve(rows.size() * 1400 + 2);
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& r : rows) WriteCover(w, ctx, r, /*detail=*/false);
  w.EndArray();
  return PagedResponse(ctx, page, std::move(body), kAllowRead);
}

}  // namespace

http::Response CoverListView(Context& ctx, const RouteArgs&) {
  // PostgreSQL, the count (and a deep page's ids) cached: one statement.
  if (auto r = ListPageAtCatalogGeneration<CoverFilter>(
          ctx, [](Context& c, CoverFilter* f) { return ParseFilter(c, f); }, db::read::CachedCoverCount,
          [&ctx](db::Connection& c, const CoverFilter& f, int64_t limit, int64_t offset,
                 db::read::OrderedIdCache* ids, int64_t generation) {
            return db::read::ListCoversAlone(c, f, limit, offset, ids, generation, ctx.state.embeds.get());
          },
          CoverListPage)) {
    return std::move(*r);
  }
  CoverFilter f;
  bool possible = ParseFilter(ctx, &f);
  ctx.Catalog();
  int64_t count =
      possible ? db::read::CountCovers(ctx.conn(), f, &ctx.state.counts, ctx.generation) : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::vector<CoverRec> rows;
  if (count > 0) rows = db::read::ListCovers(ctx.conn(), f, page->size, page->offset(),
                                  ctx.state.page_ids.get(), ctx.generation,
                                  ctx.state.embeds.get());
  return CoverListPage(ctx, *page, rows);
}

http::Response CoverDetailView(Context& ctx, const RouteArgs& args) {
  auto c = db::read::GetCover(ctx.conn(), args.id);
  if (!c) return NotFoundJson(kAllowRead);
  std::string body;
  body.reserve(c->headers.size() + (c->content ? c->content->size() : 0) + 2048);
  JsonWriter w(body);
  WriteCover(w, ctx, *c, /*detail=*/true);
  return JsonResponse(200, std::move(body), kAllowRead);
}

}  // namespace pb::api
