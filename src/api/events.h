// The event serializer and filters of /api/events/, shared with the event
// stream (event_stream.h) so both send byte-identical objects.
#pragma once

#include <string>

#include "api/context.h"
#include "db/read/events_read.h"

namespace pb::api {

// Reads the list's filters (project, category, series, patch, cover, actor,
// since, before, order) for ctx's API version. False when no event can
// match (an unknown project, series, ... or category).
bool ParseEventFilter(Context& ctx, db::read::EventFilter* f);

// One event as /api/events/ lists it, compact JSON, appended to `out`.
void AppendEventJson(std::string& out, Context& ctx, const db::read::EventRec& e);

}  // namespace pb::api
