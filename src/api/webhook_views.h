// /api/webhooks/ (patchbay extension, api/webhooks.cc): superusers list,
// add, enable, disable and remove webhooks and read their delivery log.
#pragma once

#include "api/context.h"
#include "api/views.h"
#include "http/server.h"

namespace pb::api {

http::Response WebhookListView(Context& ctx, const RouteArgs& args);
http::Response WebhookDetailView(Context& ctx, const RouteArgs& args);
http::Response WebhookDeliveryListView(Context& ctx, const RouteArgs& args);
http::Response WebhookCreateView(Context& ctx, const RouteArgs& args);  // POST webhooks/
http::Response WebhookDeleteView(Context& ctx, const RouteArgs& args);  // DELETE webhooks/{id}/
http::Response WebhookUpdateView(Context& ctx, const RouteArgs& args);  // PUT/PATCH webhooks/{id}/

}  // namespace pb::api
