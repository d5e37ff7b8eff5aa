// One event as /api/events/ shows it, for callers outside a request (the
// webhook dispatcher): the unversioned API's fields, absolute URLs under
// `origin` ("https://patchwork.example.org").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "db/read/rows.h"

namespace pb::api {

// One JSON object per event, in order. Uses state.conn.
std::vector<std::string> RenderEvents(ThreadState& state, std::string_view origin,
                                      const std::vector<db::read::EventRec>& events);

}  // namespace pb::api
