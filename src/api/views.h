// The resource views. Each resource lives in its own file (index.cc,
// projects.cc, people.cc, patches.cc, ...); app.cc routes to them after
// authentication. A view returns the full response for GET (HEAD reuses it).
#pragma once

#include <cstdint>
#include <string>

#include "api/context.h"
#include "http/server.h"

namespace pb::api {

// Path parameters of the matched route ({int} values, then {str} values).
struct RouteArgs {
  int64_t id = 0;
  int64_t id2 = 0;
  std::string key;  // {str} segment, percent-decoded
};

using View = http::Response (*)(Context&, const RouteArgs&);

http::Response IndexView(Context& ctx, const RouteArgs& args);
http::Response ProjectListView(Context& ctx, const RouteArgs& args);
http::Response ProjectDetailView(Context& ctx, const RouteArgs& args);
http::Response PersonListView(Context& ctx, const RouteArgs& args);
http::Response PersonDetailView(Context& ctx, const RouteArgs& args);
http::Response PatchListView(Context& ctx, const RouteArgs& args);
http::Response PatchDetailView(Context& ctx, const RouteArgs& args);

}  // namespace pb::api
