// /api/patches/{id}/checks/ and /api/patches/{id}/checks/{check_id}/ GET
// (spec §3.8.9). Creating checks (POST) is the write side's.
#include "api/choices.h"
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/checks_read.h"
#include "db/read/users_read.h"
#include "service/patch_updates.h"

namespace pb::api {
namespace {

using db::read::CheckFilter;
using db::read::CheckOrder;
using db::read::CheckRec;

bool ParseFilter(Context& ctx, CheckFilter* f) {
  if (!UserChoice(ctx, "user", &f->users)) return false;
  // A ChoiceFilter over the stored codes: "0".."3", not the labels.
  if (auto s = TextFilter(ctx.params, "state")) {
    if (s->size() != 1 || (*s)[0] < '0' || (*s)[0] > '3') return false;
    f->state = (*s)[0] - '0';
  }
  f->context = TextFilter(ctx.params, "context");
  auto since = DateFilter(ctx.params, "since");
  auto before = DateFilter(ctx.params, "before");
  if (since.invalid || before.invalid) return false;
  f->since = since.value;
  f->before = before.value;
  // No ordering_fields upstream: any shown model field may be used.
  for (const auto& [name, desc] :
       OrderTerms(ctx.params,
                  {"id", "user", "date", "state", "target_url", "context", "description"})) {
    CheckOrder k = name == "id"           ? CheckOrder::kId
                   : name == "user"       ? CheckOrder::kUser
                   : name == "date"       ? CheckOrder::kDate
                   : name == "state"      ? CheckOrder::kState
                   : name == "target_url" ? CheckOrder::kTargetUrl
                   : name == "context"    ? CheckOrder::kContext
                                          : CheckOrder::kDescription;
    f->order.emplace_back(k, desc);
  }
  return true;
}

void WriteCheck(JsonWriter& w, const Context& ctx, const CheckRec& c) {
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  w.Key("url");
  w.String(ctx.ApiUrl("patches/" + std::to_string(c.patch_id) + "/checks/" +
                      std::to_string(c.id) + "/"));
  w.Key("user");
  WriteUserEmbed(w, ctx, c.user);
  w.Key("date");
  w.String(FormatIsoDate(c.date));
  w.Key("state");
  w.String(service::CheckStateName(c.state));
  w.Key("target_url");
  w.OptString(c.target_url);
  w.Key("context");
  w.String(c.context);
  w.Key("description");
  w.OptString(c.description);
  w.EndObject();
}

}  // namespace

http::Response CheckListView(Context& ctx, const RouteArgs& args) {
  if (!db::read::RowExists(ctx.conn(), db::read::Table::kPatches, args.id)) return NotFoundJson(kAllowReadCreate);
  CheckFilter f;
  bool possible = ParseFilter(ctx, &f);
  ctx.Catalog();
  int64_t count = possible ? db::read::CountChecks(ctx.conn(), args.id, f, &ctx.state.counts,
                                                   ctx.generation)
                           : 0;
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowReadCreate);
  std::vector<CheckRec> rows;
  if (count > 0) rows = db::read::ListChecks(ctx.conn(), args.id, f, page->size, page->offset());
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& c : rows) WriteCheck(w, ctx, c);
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowReadCreate);
}

http::Response CheckDetailView(Context& ctx, const RouteArgs& args) {
  if (!db::read::RowExists(ctx.conn(), db::read::Table::kPatches, args.id)) return NotFoundJson(kAllowRead);
  auto c = db::read::GetCheck(ctx.conn(), args.id, args.id2);
  if (!c) return NotFoundJson(kAllowRead);
  std::string body;
  JsonWriter w(body);
  WriteCheck(w, ctx, *c);
  return JsonResponse(200, std::move(body), kAllowRead);
}

}  // namespace pb::api
