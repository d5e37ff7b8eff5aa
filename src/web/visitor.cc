#include "web/visitor.h"

#include "api/cookies.h"
#include "db/read/web_read.h"
#include "service/sessions.h"

namespace pb::web {

Visitor::Visitor(db::Connection& c, const http::Request& req) : conn_(c), req_(req) {
  std::string_view cookies = req.Header("cookie");
  if (cookies.empty()) return;
  session_key_ = api::FindCookie(cookies, "sessionid");
  if (!session_key_) return;
  auto session = service::ResolveSession(c, *session_key_);
  user_ = std::move(session.user);
  delete_session_cookie_ = session.stale;
}

const std::string& Visitor::CsrfToken() {
  if (!csrf_) csrf_ = api::csrf::ForPage(req_);
  return csrf_->token;
}

int64_t Visitor::TodoCount() {
  if (!user_) return 0;
  if (!todo_count_) {
    int64_t n = 0;
    for (const auto& [project, count] : db::read::TodoCounts(conn_, user_->user.id)) n += count;
    todo_count_ = n;
  }
  return *todo_count_;
}

void Visitor::LoggedIn(const std::string& session_key, db::read::AuthUserRec user,
                       int64_t max_age_seconds) {
  user_ = std::move(user);
  csrf_ = api::csrf::Rotated();
  delete_session_cookie_ = false;
  set_session_cookie_ = api::SetCookieValue("sessionid", session_key, max_age_seconds, /*http_only=*/true);
}

void Visitor::LoggedOut() {
  user_.reset();
  set_session_cookie_.clear();
  delete_session_cookie_ = session_key_.has_value();
}

void Visitor::AddCookies(http::Response& r) const {
  if (csrf_) r.headers.emplace_back("Set-Cookie", csrf_->set_cookie);
  if (!set_session_cookie_.empty()) {
    r.headers.emplace_back("Set-Cookie", set_session_cookie_);
  } else if (delete_session_cookie_) {
    r.headers.emplace_back("Set-Cookie", api::DeleteCookieValue("sessionid"));
  }
}

}  // namespace pb::web
