// /api/patches/ and /api/patches/{id}/ (spec §3.8.4, §3.8.5).
#include <algorithm>

#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/patches_read.h"
#include "db/read/users_read.h"
#include "parser/parsed_mail.h"

namespace pb::api {
namespace {

using db::Id;
using db::read::PatchFilter;
using db::read::PatchRec;

// Resolves a repeatable model-choice filter (spec §3.6): each value is an id
// when it parses as an integer, else goes through `by_name`. Returns false
// when any value matches nothing (the whole list is then empty).
template <typename ById, typename ByName>
bool ResolveChoice(const QueryParams& params, std::string_view name, ById by_id, ByName by_name,
                   std::optional<std::vector<Id>>* out) {
  auto values = params.All(name);
  if (values.empty()) return true;
  std::vector<Id> ids;
  for (auto v : values) {
    std::vector<Id> found;
    if (auto n = FilterInt(v)) {
      if (by_id(*n)) found.push_back(*n);
    } else {
      found = by_name(v);
    }
    if (found.empty()) return false;
    ids.insert(ids.end(), found.begin(), found.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  *out = std::move(ids);
  return true;
}

// Builds the filter from the query; false means "no patch can match".
bool ParseFilter(Context& ctx, PatchFilter* f) {
  const auto& catalog = ctx.Catalog();
  auto& conn = ctx.conn();
  const auto& params = ctx.params;
  auto none = [](std::string_view) { return std::vector<Id>{}; };

  if (!ResolveChoice(
          params, "project", [&](int64_t id) { return catalog.Project(id) != nullptr; },
          [&](std::string_view v) {
            const auto* p = catalog.ProjectByLinknameNoCase(v);
            return p ? std::vector<Id>{p->id} : std::vector<Id>{};
          },
          &f->projects)) {
    return false;
  }
  if (!ResolveChoice(
          params, "series", [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kSeries, id); },
          none, &f->series)) {
    return false;
  }
  if (!ResolveChoice(
          params, "submitter", [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kPeople, id); },
          [&](std::string_view v) { return db::read::PersonIdsByEmail(conn, v); },
          &f->submitters)) {
    return false;
  }
  if (!ResolveChoice(
          params, "delegate", [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kUsers, id); },
          [&](std::string_view v) { return db::read::UserIdsByUsername(conn, v); },
          &f->delegates)) {
    return false;
  }
  if (!ResolveChoice(
          params, "state", [&](int64_t id) { return catalog.State(id) != nullptr; },
          [&](std::string_view v) {
            std::string name(v);
            std::replace(name.begin(), name.end(), '-', ' ');
            const auto* s = catalog.StateByNameNoCase(name);
            return s ? std::vector<Id>{s->id} : std::vector<Id>{};
          },
          &f->states)) {
    return false;
  }
  f->archived = BoolFilter(params, "archived");
  if (ctx.AtLeast(kV12)) {
    f->hash = TextFilter(params, "hash");
    if (auto m = TextFilter(params, "msgid")) f->msgid = "<" + *m + ">";
  }
  auto since = DateFilter(params, "since");
  auto before = DateFilter(params, "before");
  if (since.invalid || before.invalid) return false;
  f->since = since.value;
  f->before = before.value;
  f->search = SearchTerms(params);
  // "check" is accepted upstream too, but ordering by a joined check row
  // duplicates patches there; patchbay ignores it.
  for (const auto& [name, desc] :
       OrderTerms(params, {"id", "name", "project", "date", "state", "archived", "submitter"})) {
    using db::read::PatchOrder;
    PatchOrder k = name == "id"        ? PatchOrder::kId
                   : name == "name"    ? PatchOrder::kName
                   : name == "project" ? PatchOrder::kProject
                   : name == "date"    ? PatchOrder::kDate
                   : name == "state"   ? PatchOrder::kState
                   : name == "archived" ? PatchOrder::kArchived
                                        : PatchOrder::kSubmitter;
    f->order.push_back({k, desc});
  }
  return true;
}

void WritePatch(JsonWriter& w, Context& ctx, const PatchRec& p, bool detail) {
  const auto& catalog = ctx.Catalog();
  const auto* project = catalog.Project(p.project_id);
  std::string linkname = project ? project->linkname : "";
  std::string web = PatchWebPath(linkname, p.msgid);
  std::string id = std::to_string(p.id);

  w.BeginObject();
  w.Key("id");
  w.Int(p.id);
  w.Key("url");
  w.String(ctx.ApiUrl("patches/" + id + "/"));
  if (ctx.AtLeast(kV11)) {
    w.Key("web_url");
    w.String(ctx.SiteUrl(web));
  }
  w.Key("project");
  if (project) {
    // Every patch of a page embeds one of a few projects: render each once.
    std::string& json = ctx.memo["project:" + std::to_string(project->id)];
    if (json.empty()) {
      JsonWriter pw(json);
      WriteProjectEmbed(pw, ctx, *project);
    }
    w.Raw(json);
  } else {
    w.Null();
  }
  w.Key("msgid");
  w.String(p.msgid);
  if (ctx.AtLeast(kV12)) {
    w.Key("list_archive_url");
    w.OptString(ListArchiveUrl(project, p.msgid));
  }
  w.Key("date");
  w.String(FormatIsoDate(p.date));
  w.Key("name");
  w.String(p.name);
  w.Key("commit_ref");
  w.OptString(p.commit_ref);
  w.Key("pull_url");
  w.OptString(p.pull_url);
  w.Key("state");
  if (const auto* s = catalog.State(p.state_id)) w.String(s->slug); else w.Null();
  w.Key("archived");
  w.Bool(p.archived);
  w.Key("hash");
  w.OptString(p.hash);
  w.Key("submitter");
  WritePersonEmbed(w, ctx, p.submitter);
  w.Key("delegate");
  if (p.delegate) WriteUserEmbed(w, ctx, *p.delegate); else w.Null();
  w.Key("mbox");
  w.String(ctx.SiteUrl(web + "mbox/"));
  // A list of 0 or 1 series: the API shape from when series were M:N.
  w.Key("series");
  w.BeginArray();
  if (p.series) {
    const auto* sp = p.series->project_id ? catalog.Project(*p.series->project_id) : project;
    WriteSeriesEmbed(w, ctx, *p.series, sp);
  }
  w.EndArray();
  // Upstream reverses these two without the version segment.
  if (ctx.AtLeast(kV11)) {
    w.Key("comments");
    w.String(ctx.UnversionedApiUrl("patches/" + id + "/comments/"));
  }
  w.Key("check");
  w.String(p.check_state);
  w.Key("checks");
  w.String(ctx.UnversionedApiUrl("patches/" + id + "/checks/"));
  w.Key("tags");
  w.BeginObject();
  w.EndObject();
  if (ctx.AtLeast(kV12)) {
    w.Key("related");
    w.BeginArray();
    for (const auto& r : p.related) WritePatchEmbed(w, ctx, r, catalog.Project(r.project_id));
    w.EndArray();
  }
  if (detail) {
    w.Key("headers");
    WriteHeadersObject(w, p.headers);
    w.Key("content");
    w.OptString(p.content);
    w.Key("diff");
    w.OptString(p.diff);
    w.Key("prefixes");
    w.BeginArray();
    for (const auto& prefix : parser::CleanSubject(p.name, {}).prefixes) w.String(prefix);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

namespace {

http::Response PatchListPage(Context& ctx, const Page& page, const std::vector<PatchRec>& rows) {
  std::string body;
  body.reserve(rows.size() * 1600 + 2);
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& r : rows) WritePatch(w, ctx, r, /*detail=*/false);
  w.EndArray();
  return PagedResponse(ctx, page, std::move(body), kAllowRead);
}

}  // namespace

http::Response PatchListView(Context& ctx, const RouteArgs&) {
  // PostgreSQL, the count (and a deep page's ids) cached: one statement.
  if (auto r = ListPageAtCatalogGeneration<PatchFilter>(
          ctx, [](Context& c, PatchFilter* f) { return ParseFilter(c, f); }, db::read::CachedPatchCount,
          [&ctx](db::Connection& c, const PatchFilter& f, int64_t limit, int64_t offset,
                 db::read::OrderedIdCache* ids, int64_t generation) {
            return db::read::ListPatchesAlone(c, f, limit, offset, ids, generation,
                                              ctx.state.embeds.get());
          },
          PatchListPage)) {
    return std::move(*r);
  }
  PatchFilter f;
  bool possible = ParseFilter(ctx, &f);
  int64_t count = possible ? db::read::CountPatches(ctx.conn(), f, &ctx.state.counts, ctx.generation) : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::vector<PatchRec> rows;
  if (possible && count > 0) {
    rows = db::read::ListPatchesWithExtras(ctx.conn(), f, page->size, page->offset(),
                                           ctx.state.page_ids.get(), ctx.generation,
                                           ctx.state.embeds.get());
  }
  return PatchListPage(ctx, *page, rows);
}

http::Response PatchDetailView(Context& ctx, const RouteArgs& args) {
  std::optional<PatchRec> p;
  // PostgreSQL: the patch, its extras and the generation in one statement
  // outside the snapshot, so no BEGIN and no ROLLBACK: the request costs the
  // server one statement instead of BEGIN, three statements and a ROLLBACK
  // (a detail was 3-4.6x SQLite's time, docs/performance.md §9i; the server
  // now spends 11-32 % less on it). Context::ReadAlone says when that answer
  // stands (a project or state the patch names is then as current as the
  // patch); otherwise, as on SQLite, the snapshot path below.
  // A request deferred with others (MakeApiHandler) takes its row from
  // their one statement, which the first of them to get here runs.
  db::read::PatchAlone alone;
  if (ctx.ReadAlone([&] {
        if (ctx.state.batched_detail == args.id) {
          alone = ctx.state.details.Take(ctx.conn(), args.id);
          ctx.state.batched_detail = 0;  // taken (a failed read is retried from the batch)
        } else {
          alone = db::read::GetPatchAlone(ctx.conn(), args.id);
        }
        return std::pair{alone.patch.has_value(), alone.generation};
      })) {
    p = std::move(alone.patch);
  } else {
    // The patch and its checks are sent ahead (with the snapshot's BEGIN)
    // and the catalog's generation behind them: one round trip on
    // PostgreSQL.
    p = db::read::GetPatchWithExtras(ctx.conn(), args.id, [&] { ctx.Catalog(); });
  }
  if (!p) return NotFoundJson(kAllowReadUpdate);
  std::string body;
  body.reserve(p->headers.size() + (p->content ? p->content->size() : 0) +
               (p->diff ? p->diff->size() : 0) + 2048);
  JsonWriter w(body);
  WritePatch(w, ctx, *p, /*detail=*/true);
  return JsonResponse(200, std::move(body), kAllowReadUpdate);
}

}  // namespace pb::api
