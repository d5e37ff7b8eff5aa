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
http::Response UserListView(Context& ctx, const RouteArgs& args);
http::Response UserDetailView(Context& ctx, const RouteArgs& args);
http::Response CoverListView(Context& ctx, const RouteArgs& args);
http::Response CoverDetailView(Context& ctx, const RouteArgs& args);
http::Response SeriesListView(Context& ctx, const RouteArgs& args);
http::Response SeriesDetailView(Context& ctx, const RouteArgs& args);
// Comments: id = patch/cover, id2 = comment.
http::Response PatchCommentListView(Context& ctx, const RouteArgs& args);
http::Response PatchCommentDetailView(Context& ctx, const RouteArgs& args);
http::Response CoverCommentListView(Context& ctx, const RouteArgs& args);
http::Response CoverCommentDetailView(Context& ctx, const RouteArgs& args);
// Checks: id = patch, id2 = check.
http::Response CheckListView(Context& ctx, const RouteArgs& args);
http::Response CheckDetailView(Context& ctx, const RouteArgs& args);
http::Response BundleListView(Context& ctx, const RouteArgs& args);
http::Response BundleDetailView(Context& ctx, const RouteArgs& args);
http::Response EventListView(Context& ctx, const RouteArgs& args);
// /api/events/stream (event_stream.h): a stream, not a body.
http::Response EventStreamView(Context& ctx, const RouteArgs& args);

}  // namespace pb::api
