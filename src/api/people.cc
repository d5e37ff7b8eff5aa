// /api/people/ and /api/people/{id}/ (spec §3.8.2); authentication is
// required (checked by the router).
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/users_read.h"

namespace pb::api {
namespace {

void WritePerson(JsonWriter& w, const Context& ctx, const db::read::PersonRec& p) {
  w.BeginObject();
  w.Key("id");
  w.Int(p.id);
  w.Key("url");
  w.String(ctx.ApiUrl("people/" + std::to_string(p.id) + "/"));
  w.Key("name");
  w.OptString(p.name);
  w.Key("email");
  w.String(p.email);
  w.Key("user");
  if (p.user) WriteUserEmbed(w, ctx, *p.user); else w.Null();
  w.EndObject();
}

}  // namespace

http::Response PersonListView(Context& ctx, const RouteArgs&) {
  db::read::PersonFilter f;
  f.search = SearchTerms(ctx.params);
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "name", "email"})) {
    f.order.emplace_back(name == "id"     ? db::read::PersonOrder::kId
                         : name == "name" ? db::read::PersonOrder::kName
                                          : db::read::PersonOrder::kEmail,
                         desc);
  }
  ctx.Catalog();  // reads the generation the count cache is keyed on
  int64_t count = db::read::CountPeople(ctx.conn(), f, &ctx.state.counts, ctx.generation);
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  for (const auto& p : db::read::ListPeople(ctx.conn(), f, page->size, page->offset())) {
    WritePerson(w, ctx, p);
  }
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response PersonDetailView(Context& ctx, const RouteArgs& args) {
  auto p = db::read::GetPerson(ctx.conn(), args.id);
  if (!p) return NotFoundJson(kAllowRead);
  std::string body;
  JsonWriter w(body);
  WritePerson(w, ctx, *p);
  return JsonResponse(200, std::move(body), kAllowRead);
}

}  // namespace pb::api
