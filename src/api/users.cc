// /api/users/ and /api/users/{id}/ (spec §3.8.3); authentication is required
// (checked by the router). The detail shows `settings` to the user themself
// from API 1.2 on.
#include "api/embed.h"
#include "api/filters.h"
#include "api/pagination.h"
#include "api/response.h"
#include "api/views.h"
#include "db/read/users_read.h"

namespace pb::api {

http::Response UserListView(Context& ctx, const RouteArgs&) {
  db::read::UserFilter f;
  f.search = SearchTerms(ctx.params);
  for (const auto& [name, desc] : OrderTerms(ctx.params, {"id", "username", "email"})) {
    f.order.emplace_back(name == "id"         ? db::read::UserOrder::kId
                         : name == "username" ? db::read::UserOrder::kUsername
                                              : db::read::UserOrder::kEmail,
                         desc);
  }
  ctx.Catalog();  // reads the generation the count cache is keyed on
  int64_t count = db::read::CountUsers(ctx.conn(), f, &ctx.state.counts, ctx.generation);
  auto page = ResolvePage(ctx.params, count);
  if (!page) return DetailError(404, "Invalid page.", kAllowRead);
  std::string body;
  JsonWriter w(body);
  w.BeginArray();
  if (count > 0) {
    for (const auto& u : db::read::ListUsers(ctx.conn(), f, page->size, page->offset())) {
      WriteUserEmbed(w, ctx, u);
    }
  }
  w.EndArray();
  return PagedResponse(ctx, *page, std::move(body), kAllowRead);
}

http::Response UserDetailView(Context& ctx, const RouteArgs& args) {
  auto u = db::read::GetUserDetail(ctx.conn(), args.id);
  if (!u) return NotFoundJson(kAllowReadUpdate);
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  w.Key("id");
  w.Int(u->user.id);
  w.Key("url");
  w.String(ctx.ApiUrl("users/" + std::to_string(u->user.id) + "/"));
  w.Key("username");
  w.String(u->user.username);
  w.Key("first_name");
  w.String(u->user.first_name);
  w.Key("last_name");
  w.String(u->user.last_name);
  w.Key("email");
  w.String(u->user.email);
  if (ctx.AtLeast(kV12) && ctx.user && ctx.user->user.id == u->user.id) {
    w.Key("settings");
    w.BeginObject();
    w.Key("send_email");
    w.Bool(u->send_email);
    w.Key("items_per_page");
    w.Int(u->items_per_page);
    w.Key("show_ids");
    w.Bool(u->show_ids);
    w.EndObject();
  }
  w.EndObject();
  return JsonResponse(200, std::move(body), kAllowReadUpdate);
}

}  // namespace pb::api
