// mbox and diff downloads (shared spec §4.2) and the id-based URLs that
// redirect to them, answered as upstream's Django views answer.
#pragma once

#include <optional>

#include "api/auth.h"
#include "db/connection.h"
#include "http/server.h"

namespace pb::web {

// nullopt when the path is not a download URL. `base_url` (serve
// --base-url, may be empty) is the origin .pwclientrc files point at.
std::optional<http::Response> HandleDownload(db::Connection& conn, api::AuthCache& auth,
                                             const http::Request& req, std::string_view base_url = "");

// Django's slugify-like download name: runs of characters outside
// [-_A-Za-z0-9.] become "-", leading/trailing "-" removed (spec §1.3).
std::string DownloadName(std::string_view name);

}  // namespace pb::web
