// Who is browsing the HTML pages: the user of the `sessionid` cookie, if
// any, and the cookies the response must set (Django's session and CSRF
// middleware, for one request).
#pragma once

#include <optional>
#include <string>

#include "api/csrf.h"
#include "db/connection.h"
#include "db/read/users_read.h"
#include "http/server.h"

namespace pb::web {

class Visitor {
 public:
  // Reads the Cookie header; a request without one costs no query.
  Visitor(db::Connection& c, const http::Request& req);

  const std::optional<db::read::AuthUserRec>& user() const { return user_; }
  // The key of the request's `sessionid` cookie, if it had one.
  const std::optional<std::string>& session_key() const { return session_key_; }

  // get_token(): the masked CSRF token for a form on this page. Made on
  // first use; the response then sends the cookie again.
  const std::string& CsrfToken();

  // A successful login: the new session's cookie, and a fresh CSRF secret
  // (Django's rotate_token), so a token planted before login is worthless.
  void LoggedIn(const std::string& session_key, db::read::AuthUserRec user, int64_t max_age_seconds);
  // Logout: the session cookie is deleted (if the request had one).
  void LoggedOut();

  // The number of patches delegated to the user that need action (the
  // navbar's to-do badge); read on first use, 0 when logged out.
  int64_t TodoCount();

  // Appends the Set-Cookie headers: CSRF first, then the session, in the
  // order Django's middleware writes them.
  void AddCookies(http::Response& r) const;

 private:
  db::Connection& conn_;
  const http::Request& req_;
  std::optional<int64_t> todo_count_;
  std::optional<std::string> session_key_;
  std::optional<db::read::AuthUserRec> user_;
  bool delete_session_cookie_ = false;  // the cookie names no live session, or logout
  std::string set_session_cookie_;      // Set-Cookie value after a login
  std::optional<api::csrf::PageToken> csrf_;
};

}  // namespace pb::web
