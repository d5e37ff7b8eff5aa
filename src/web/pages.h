// The HTML pages: project list, patch list, patch and cover pages. Plain
// server-rendered HTML (kainjow mustache) and CSS; no JavaScript needed.
// The account pages (login, profile) are in account.h.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "http/server.h"
#include "web/visitor.h"

namespace pb::web {

// Per-thread state of the page handlers.
struct PageState {
  db::read::Catalog catalog;
  db::read::CountCache counts;
};

// nullopt when the path is not a page URL.
std::optional<http::Response> HandlePage(db::Connection& conn, PageState& state, Visitor& visitor,
                                         const http::Request& req);

// A page in the site layout (navbar with the visitor's login state, the
// project's links, footer) around an already rendered body.
http::Response LayoutPage(Visitor& visitor, const std::string& title,
                          const db::read::ProjectRec* project, std::string body, int status = 200);

}  // namespace pb::web
