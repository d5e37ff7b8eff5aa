// GET /api/[version/]: links to the top-level lists (spec §3.8).
#include "api/json_writer.h"
#include "api/response.h"
#include "api/views.h"

namespace pb::api {

http::Response IndexView(Context& ctx, const RouteArgs&) {
  std::string body;
  JsonWriter w(body);
  w.BeginObject();
  for (const char* name :
       {"projects", "users", "people", "patches", "covers", "series", "events", "bundles"}) {
    w.Key(name);
    w.String(ctx.ApiUrl(std::string(name) + "/"));
  }
  w.EndObject();
  return JsonResponse(200, std::move(body), kAllowRead);
}

}  // namespace pb::api
