// Bundle pages (spec §6.4): a bundle's page with the owner's settings and
// ordering, the bundle lists (/user/bundles/, /project/P/bundles/) with
// their delete forms, and the old /user/bundle/ID/ redirects.
#pragma once

#include <optional>
#include <string_view>

#include "db/connection.h"
#include "http/server.h"
#include "web/pages.h"
#include "web/visitor.h"

namespace pb::web {

http::Response BundlePage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                          std::string_view username, std::string_view name);
// `project` null: every bundle of the user.
http::Response BundleListPage(db::Connection& c, PageState& st, Visitor& visitor,
                              const http::Request& req, const db::read::ProjectRec* project);
// /user/bundle/<id>/ (suffix "") and /user/bundle/<id>/mbox/ (suffix "mbox").
http::Response OldBundleRedirect(db::Connection& c, Visitor& visitor, const http::Request& req,
                                 db::Id id, std::string_view suffix);

}  // namespace pb::web
