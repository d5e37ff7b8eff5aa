// The whole site as one http::Handler: /api/ (REST), /xmlrpc/ (pwclient),
// mbox and diff downloads and their legacy redirects, the account pages
// (login, logout, profile) and the HTML pages.
#pragma once

#include <string>

#include "api/app.h"
#include "http/server.h"

namespace pb::web {

http::Handler MakeSiteHandler(const api::ApiConfig& config);

}  // namespace pb::web
