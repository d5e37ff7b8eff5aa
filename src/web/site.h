// The whole site as one http::Handler: /api/ (REST), /xmlrpc/ (pwclient),
// mbox and diff downloads and their legacy redirects, the account pages
// (login, logout, profile) and the HTML pages.
#pragma once

#include <functional>
#include <string>

#include "api/app.h"
#include "http/server.h"

namespace pb::web {

struct Site {
  http::Handler handler;
  // Run on each server thread before it serves (http::ServerOptions::
  // on_thread_start): opens the thread's connection and renders the first
  // list page of the projects, so no visitor's request is a thread's first.
  std::function<void()> warm_up;
};

Site MakeSite(const api::ApiConfig& config);
// The handler alone (tests, fuzzers): threads warm on their first request.
http::Handler MakeSiteHandler(const api::ApiConfig& config);

}  // namespace pb::web
