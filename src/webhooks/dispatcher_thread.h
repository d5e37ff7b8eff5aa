// `patchbay serve`'s webhook dispatcher: one background thread with its own
// database connection that runs the dispatcher (dispatch.h) once a second.
// Requests never wait for it; a slow receiver only holds one of its
// `max_in_flight` slots until the timeout.
#pragma once

#include <string>

#include "webhooks/dispatch.h"

namespace pb::webhooks {

// Once per process.
void StartDispatcher(const std::string& database_url, const DispatchOptions& options);
// Stops and joins the thread; a POST in flight is abandoned (its lease
// runs out and it is tried again later).
void StopDispatcher();

}  // namespace pb::webhooks
