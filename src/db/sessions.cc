#include "db/sessions.h"

namespace pb::db {

void InsertSession(Connection& c, std::string_view key_hash, Id user_id, std::string_view auth_hash,
                   Micros created, Micros expires) {
  Query(c,
        "INSERT INTO sessions (key_hash, user_id, auth_hash, created, expires) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        key_hash, user_id, auth_hash, created, expires)
      .Run();
}

std::optional<SessionRow> FindSession(Connection& c, std::string_view key_hash, Micros now) {
  Query q(c, "SELECT user_id, auth_hash, expires FROM sessions WHERE key_hash = ?1 AND expires > ?2",
          key_hash, now);
  if (!q.Next()) return std::nullopt;
  return SessionRow{q.Int(0), q.Str(1), q.Int(2)};
}

void DeleteSession(Connection& c, std::string_view key_hash) {
  Query(c, "DELETE FROM sessions WHERE key_hash = ?1", key_hash).Run();
}

int64_t DeleteExpiredSessions(Connection& c, Micros now) {
  return Query(c, "DELETE FROM sessions WHERE expires <= ?1", now).Run();
}

void SetLastLogin(Connection& c, Id user_id, Micros when) {
  Query(c, "UPDATE users SET last_login = ?1 WHERE id = ?2", when, user_id).Run();
}

}  // namespace pb::db
