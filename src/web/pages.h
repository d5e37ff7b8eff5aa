// The HTML pages: project list, patch list, patch and cover pages. Plain
// server-rendered HTML (kainjow mustache) and CSS; no JavaScript needed.
#pragma once

#include <memory>
#include <optional>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "http/server.h"

namespace pb::web {

// Per-thread state of the page handlers.
struct PageState {
  db::read::Catalog catalog;
  db::read::CountCache counts;
};

// nullopt when the path is not a page URL.
std::optional<http::Response> HandlePage(db::Connection& conn, PageState& state,
                                         const http::Request& req);

}  // namespace pb::web
