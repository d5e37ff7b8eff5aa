// Web login sessions (migration 3). Keys arrive here already hashed: the
// table never sees a cookie value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct SessionRow {
  Id user_id = 0;
  std::string auth_hash;  // fingerprint of the password hash at login
  Micros expires = 0;
};

void InsertSession(Connection& c, std::string_view key_hash, Id user_id, std::string_view auth_hash,
                   Micros created, Micros expires);
// The session with that key hash if it has not expired at `now`.
std::optional<SessionRow> FindSession(Connection& c, std::string_view key_hash, Micros now);
void DeleteSession(Connection& c, std::string_view key_hash);
// Returns the number of sessions removed.
int64_t DeleteExpiredSessions(Connection& c, Micros now);
// Django's update_last_login on a successful login.
void SetLastLogin(Connection& c, Id user_id, Micros when);

}  // namespace pb::db
