// The write side of the REST API (PUT, PATCH, POST, DELETE): request body
// parsing, DRF validation and permissions, then one call into service/ (the
// only writers), answered with the resource's read representation.
//
// Writes are looked up by the route's DRF view name, so the route table in
// app.cc stays one line per URL. The metadata helpers serve OPTIONS
// ("actions") and the browsable API's forms.
#pragma once

#include <string>
#include <string_view>

#include "api/context.h"
#include "api/views.h"
#include "http/server.h"

namespace pb::api {

// The handler for `method` on the route named `route_name`, or nullptr
// (then the router answers 405).
View FindWriteView(std::string_view route_name, std::string_view method);

// DRF SimpleMetadata.determine_actions: the "actions" object for OPTIONS
// (e.g. {"PUT":{...field info...}}), or "" when the requester may not write.
std::string WriteActionsJson(Context& ctx, std::string_view route_name, const RouteArgs& args);

// Whether the browsable API should offer the PUT/PATCH (or POST) forms.
bool CanWriteForm(Context& ctx, std::string_view route_name, const RouteArgs& args,
                  std::string_view method);

// Write views (one per resource file).
http::Response PatchUpdateView(Context& ctx, const RouteArgs& args);      // PUT/PATCH patches/{id}/
http::Response PatchBulkUpdateView(Context& ctx, const RouteArgs& args);  // PATCH patches/ (extension)
http::Response CheckCreateView(Context& ctx, const RouteArgs& args);      // POST patches/{id}/checks/
http::Response BundleCreateView(Context& ctx, const RouteArgs& args);     // POST bundles/
http::Response BundleUpdateView(Context& ctx, const RouteArgs& args);     // PUT/PATCH/DELETE bundles/{id}/
http::Response PatchCommentUpdateView(Context& ctx, const RouteArgs& args);
http::Response CoverCommentUpdateView(Context& ctx, const RouteArgs& args);
http::Response UserUpdateView(Context& ctx, const RouteArgs& args);
http::Response ProjectUpdateView(Context& ctx, const RouteArgs& args);

// Read views the writes answer with (defined with the read side).
http::Response CheckDetailView(Context& ctx, const RouteArgs& args);   // id = patch, id2 = check
http::Response BundleDetailView(Context& ctx, const RouteArgs& args);
http::Response PatchCommentDetailView(Context& ctx, const RouteArgs& args);
http::Response CoverCommentDetailView(Context& ctx, const RouteArgs& args);
http::Response UserDetailView(Context& ctx, const RouteArgs& args);

// After a write: forget the request's cached generation and rendered
// embeds so the answer shows the new data.
void AfterWrite(Context& ctx);

// DRF's permission_denied(): anonymous -> "Authentication credentials were
// not provided.", else "You do not have permission to perform this action."
http::Response PermissionDenied(const Context& ctx, std::string_view allow);

}  // namespace pb::api
