// The REST API as an http::Handler. Each server thread lazily opens its own
// database connection (and keeps its caches) on first use.
#pragma once

#include <memory>
#include <string>

#include "api/context.h"
#include "http/server.h"

namespace pb::api {

struct ApiConfig {
  std::string database_url;
  // Optional origin ("https://patchwork.example.org") used for absolute URLs
  // instead of the request's Host header.
  std::string base_url;
  // Keep finished anonymous GET responses per data generation (see
  // response_cache.h).
  bool response_cache = true;
  // Feeds /api/events/stream (event_stream.h); null: that URL answers 503.
  std::shared_ptr<EventHub> event_hub;
  // PostgreSQL: the patch details a serve thread has ready at once are read
  // by one statement (db/read/detail_batch.h); off, each reads its own.
  bool coalesce_details = true;
};

http::Handler MakeApiHandler(const ApiConfig& config);

// One request against explicit per-thread state (tests use this to count
// statements on a connection they own).
http::Response HandleApiRequest(ThreadState& state, const ApiConfig& config,
                                const http::Request& req);

}  // namespace pb::api
