// /api/events/ (spec §1.5, §3.8.11): every category with its payload, newest
// first; before API 1.3 the comment events are left out.
#include <algorithm>
#include <array>

#include "api/events.h"

#include "api/choices.h"
#include "api/embed.h"
#include "api/event_json.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/events_read.h"
#include "db/read/users_read.h"

namespace pb::api {
namespace {

using db::read::EventFilter;
using db::read::EventRec;

constexpr std::array<std::string_view, 11> kCategories = {
    "cover-created",       "patch-created",          "patch-completed",
    "patch-state-changed", "patch-delegated",        "patch-relation-changed",
    "check-created",       "series-created",         "series-completed",
    "cover-comment-created", "patch-comment-created"};

}  // namespace

bool ParseEventFilter(Context& ctx, EventFilter* f) {
  if (!ProjectChoice(ctx, "project", &f->projects)) return false;
  // A ChoiceFilter: one value (the last), which must be a known category.
  if (auto c = TextFilter(ctx.params, "category")) {
    if (std::find(kCategories.begin(), kCategories.end(), *c) == kCategories.end()) return false;
    f->category = *c;
  }
  if (!IdChoice(ctx, "series", db::read::Table::kSeries, &f->series)) return false;
  if (!IdChoice(ctx, "patch", db::read::Table::kPatches, &f->patches)) return false;
  if (!IdChoice(ctx, "cover", db::read::Table::kCovers, &f->covers)) return false;
  // A plain ModelChoiceFilter: the last value, a user id only (+1.2).
  if (ctx.AtLeast(kV12)) {
    if (auto a = TextFilter(ctx.params, "actor")) {
      auto id = FilterInt(*a);
      if (!id || !db::read::RowExists(ctx.conn(), db::read::Table::kUsers, *id)) return false;
      f->actor = *id;
    }
  }
  auto since = DateFilter(ctx.params, "since");
  auto before = DateFilter(ctx.params, "before");
  if (since.invalid || before.invalid) return false;
  f->since = since.value;
  f->before = before.value;
  f->exclude_comment_events = !ctx.AtLeast(kV13);
  auto order = OrderTerms(ctx.params, {"date"});
  f->ascending = !order.empty() && !order.front().second;
  return true;
}

namespace {

void WriteUserOrNull(JsonWriter& w, const Context& ctx, const std::optional<db::read::UserRec>& u) {
  if (u) WriteUserEmbed(w, ctx, *u); else w.Null();
}

void WriteStateOrNull(JsonWriter& w, Context& ctx, const std::optional<db::Id>& id) {
  const auto* s = id ? ctx.Catalog().State(*id) : nullptr;
  if (s) w.String(s->slug); else w.Null();
}

// The payload keys of each category, in the serializer's field order.
void WritePayload(JsonWriter& w, Context& ctx, const EventRec& e) {
  const auto& catalog = ctx.Catalog();
  std::string_view c = e.category;
  auto patch = [&] {
    w.Key("patch");
    if (e.patch) WritePatchEmbed(w, ctx, *e.patch, catalog.Project(e.patch->project_id)); else w.Null();
  };
  auto series = [&] {
    w.Key("series");
    if (e.series) {
      const auto* p = e.series->project_id ? catalog.Project(*e.series->project_id) : nullptr;
      WriteSeriesEmbed(w, ctx, *e.series, p);
    } else {
      w.Null();
    }
  };
  auto cover = [&] {
    w.Key("cover");
    if (e.cover) WriteCoverEmbed(w, ctx, *e.cover, catalog.Project(e.cover->project_id)); else w.Null();
  };
  auto comment = [&](std::string_view parent, const std::optional<db::read::CommentRef>& m) {
    w.Key("comment");
    if (m) WriteCommentEmbed(w, ctx, parent, *m, catalog.Project(m->project_id)); else w.Null();
  };
  w.BeginObject();
  if (c == "cover-created") {
    cover();
  } else if (c == "patch-created") {
    patch();
  } else if (c == "patch-completed") {
    patch();
    series();
  } else if (c == "patch-state-changed") {
    patch();
    w.Key("previous_state");
    WriteStateOrNull(w, ctx, e.previous_state_id);
    w.Key("current_state");
    WriteStateOrNull(w, ctx, e.current_state_id);
  } else if (c == "patch-delegated") {
    patch();
    w.Key("previous_delegate");
    WriteUserOrNull(w, ctx, e.previous_delegate);
    w.Key("current_delegate");
    WriteUserOrNull(w, ctx, e.current_delegate);
  } else if (c == "patch-relation-changed") {
    // Upstream never fills the relation columns.
    patch();
    w.Key("previous_relation");
    w.Null();
    w.Key("current_relation");
    w.Null();
  } else if (c == "check-created") {
    patch();
    w.Key("check");
    if (e.check) WriteCheckEmbed(w, ctx, *e.check); else w.Null();
  } else if (c == "series-created" || c == "series-completed") {
    series();
  } else if (c == "cover-comment-created") {
    cover();
    comment("covers", e.cover_comment);
  } else if (c == "patch-comment-created") {
    patch();
    comment("patches", e.patch_comment);
  }
  w.EndObject();
}

void WriteEvent(JsonWriter& w, Context& ctx, const EventRec& e) {
  w.BeginObject();
  w.Key("id");
  w.Int(e.id);
  w.Key("category");
  w.String(e.category);
  w.Key("project");
  if (const auto* p = ctx.Catalog().Project(e.project_id)) WriteProjectEmbedMemo(w, ctx, *p); else w.Null();
  w.Key("date");
  w.String(FormatIsoDate(e.date));
  // Declared +1.2 upstream, but the event serializer ignores versioned
  // fields: actor is shown in every version.
  w.Key("actor");
  WriteUserOrNull(w, ctx, e.actor);
  w.Key("payload");
  WritePayload(w, ctx, e);
  w.EndObject();
}

}  // namespace

void AppendEventJson(std::string& out, Context& ctx, const EventRec& e) {
  JsonWriter w(out);
  WriteEvent(w, ctx, e);
}

std::vector<std::string> RenderEvents(ThreadState& state, std::string_view origin,
                                      const std::vector<EventRec>& events) {
  static const http::Request kNoRequest{};
  Context ctx(kNoRequest, state);
  ctx.origin = std::string(origin);
  while (!ctx.origin.empty() && ctx.origin.back() == '/') ctx.origin.pop_back();
  ctx.api_root = ctx.origin + "/api/";
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const auto& e : events) {
    std::string body;
    JsonWriter w(body);
    WriteEvent(w, ctx, e);
    out.push_back(std::move(body));
  }
  return out;
}

namespace {

http::Response EventListPage(Context& ctx, const Page& page, const std::vector<EventRec>& rows) {
  std::string body;
  body.reserve(rows.size() * 1200 + 2);
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& e : rows) WriteEvent(w, ctx, e);
  w.EndArray();
  return PagedResponse(ctx, page, std::move(body), kAllowRead);
}

}  // namespace

http::Response EventListView(Context& ctx, const RouteArgs&) {
  // PostgreSQL, the count (and a deep page's ids) cached: one statement.
  if (auto r = ListPageAtCatalogGeneration<EventFilter>(
          ctx, [](Context& c, EventFilter* f) { return ParseEventFilter(c, f); }, db::read::CachedEventCount,
          [&ctx](db::Connection& c, const EventFilter& f, int64_t limit, int64_t offset,
                 db::read::OrderedIdCache* ids, int64_t generation) {
            return db::read::ListEventsAlone(c, f, limit, offset, ids, generation, ctx.state.embeds.get());
          },
          EventListPage)) {
    return std::move(*r);
  }
  EventFilter f;
  bool possible = ParseEventFilter(ctx, &f);
  ctx.Catalog();
  int64_t count =
      possible ? db::read::CountEvents(ctx.conn(), f, &ctx.state.counts, ctx.generation) : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::vector<EventRec> rows;
  if (count > 0) rows = db::read::ListEvents(ctx.conn(), f, page->size, page->offset(),
                                  ctx.state.page_ids.get(), ctx.generation,
                                  ctx.state.embeds.get());
  return EventListPage(ctx, *page, rows);
}

}  // namespace pb::api
