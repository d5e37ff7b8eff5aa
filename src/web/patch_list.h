// The patch list (upstream's generic_list, spec §6.2) as the project list,
// a user's to-do list and a bundle's page show it: filters, sortable
// columns, numbered pages, and for logged-in users the bulk forms (state,
// delegate, archive; create/add to/remove from a bundle).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/read/web_read.h"
#include "http/server.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/visitor.h"

namespace pb::web {

struct Flash {
  std::string text;
  bool warning = false;
};

struct ListView {
  const db::read::ProjectRec* project = nullptr;  // the list's (or bundle's) project
  std::string title;
  std::string head_html;                          // rendered above the list
  std::optional<db::read::UserRec> todo_of;       // to-do view: delegate forced
  std::optional<db::read::WebBundleRec> bundle;   // bundle view
  bool bundle_owner = false;                      // bundle order, no column sort
  std::vector<Flash> messages;
  std::vector<std::string> errors;
};

// GET (and HEAD): the page. POST: the patchlistform's actions, then the
// page with their messages (upstream answers 200, not a redirect).
http::Response PatchListPage(db::Connection& c, PageState& st, Visitor& visitor,
                             const http::Request& req, ListView view);

// Shared renderers for flash messages and error lists.
kainjow::mustache::data FlashData(const std::vector<Flash>& messages);
kainjow::mustache::data ErrorData(const std::vector<std::string>& errors);

// The display name upstream's personify shows: the name, else the address'
// local part (the page does not publish addresses).
std::string PersonShown(const std::optional<std::string>& name, std::string_view email);

}  // namespace pb::web
