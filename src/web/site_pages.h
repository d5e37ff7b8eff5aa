// The smaller pages around the lists (spec §6.1, §6.5, §6.8): the project
// page, /about/, the to-do lists, /comment/N/, the autocomplete JSON and
// the site's own 404 page.
#pragma once

#include <optional>
#include <string_view>

#include "db/connection.h"
#include "http/server.h"
#include "web/pages.h"
#include "web/visitor.h"

namespace pb::web {

http::Response ProjectPage(db::Connection& c, PageState& st, Visitor& visitor,
                           const db::read::ProjectRec& project);
http::Response AboutPage(db::Connection& c, Visitor& visitor);
http::Response CommentRedirect(db::Connection& c, Visitor& visitor, const http::Request& req,
                               db::Id comment_id);
// /submitter/?q=&l= and /delegate/?q=&l=.
http::Response Autocomplete(db::Connection& c, const http::Request& req, bool delegates);
// /user/todo/: the projects with to-do patches (302 to the only one).
http::Response TodoListsPage(db::Connection& c, PageState& st, Visitor& visitor,
                             const http::Request& req);
// /user/todo/<linkname>/.
http::Response TodoListPage(db::Connection& c, PageState& st, Visitor& visitor,
                            const http::Request& req, const db::read::ProjectRec& project);
// A 404 in the site's layout, with links that work.
http::Response NotFoundPage(Visitor& visitor, std::string_view path,
                            const db::read::ProjectRec* project);

// json.dumps() of a string (ensure_ascii: non-ASCII as \uXXXX).
std::string PyJsonString(std::string_view s);

}  // namespace pb::web
