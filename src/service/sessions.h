// Web login sessions as Django's auth + session framework keeps them: a
// random 32-character key in the `sessionid` cookie names a session that
// lasts two weeks from login (SESSION_COOKIE_AGE, not renewed by use) and
// ends at logout, at expiry, or when the user's password changes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "db/connection.h"
#include "db/read/users_read.h"

namespace pb::service {

inline constexpr int64_t kSessionAgeSeconds = 14 * 24 * 3600;  // Django's SESSION_COOKIE_AGE

struct NewSession {
  std::string key;  // the cookie value; only its hash is stored
  db::read::AuthUserRec user;
  Micros expires = 0;
};

// Checks a username (exact, as Django's ModelBackend) or, failing that, an
// e-mail address (case-insensitive) and the password against the Django
// PBKDF2 hash. Unknown users, wrong passwords and inactive users all get the
// same Invalid status, so the answer does not tell which accounts exist.
// Expired sessions are deleted here, so the table stays small without a cron
// job.
Result<NewSession> LogIn(db::Connection& c, std::string_view username_or_email,
                         std::string_view password, Micros now = NowMicros());

// The parts of LogIn, for callers that run the password check elsewhere
// (the login page hashes on the side pool, web/offload.h):
// the user a login names (username, else e-mail), and a new session for a
// user whose password was checked.
std::optional<db::read::AuthUserRec> FindLoginUser(db::Connection& c, std::string_view login);
NewSession StartSession(db::Connection& c, db::read::AuthUserRec user, Micros now = NowMicros());

// Ends the session (nothing happens for an unknown key).
void LogOut(db::Connection& c, std::string_view session_key);

struct SessionLookup {
  std::optional<db::read::AuthUserRec> user;  // set for a live session of an active user
  bool stale = false;  // no live session has this key: the cookie should be deleted
};
// What a `sessionid` cookie stands for. A session whose user changed their
// password since login is deleted and reported stale.
SessionLookup ResolveSession(db::Connection& c, std::string_view session_key,
                             Micros now = NowMicros());

// The profile page's "Generate token" button (upstream's regenerate_token):
// replaces the user's API token and returns the new one.
std::string RegenerateToken(db::Connection& c, db::Id user_id);

}  // namespace pb::service
