#include "db/users.h"

namespace pb::db {
namespace {

constexpr const char* kColumns =
    "id, username, first_name, last_name, email, is_superuser, is_staff, is_active";

UserRow Read(Query& q) {
  UserRow u;
  u.id = q.Int(0);
  u.username = q.Str(1);
  u.first_name = q.Str(2);
  u.last_name = q.Str(3);
  u.email = q.Str(4);
  u.is_superuser = q.Int(5) != 0;
  u.is_staff = q.Int(6) != 0;
  u.is_active = q.Int(7) != 0;
  return u;
}

}  // namespace

Id InsertUser(Connection& c, const UserRow& u, std::string_view password_hash) {
  return QueryInt(c,
                  "INSERT INTO users (username, first_name, last_name, email, password, "
                  "is_superuser, is_staff, is_active, date_joined) VALUES "
                  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                  u.username, u.first_name, u.last_name, u.email, password_hash, u.is_superuser,
                  u.is_staff, u.is_active, NowMicros())
      .value();
}

std::vector<UserRow> ListUsers(Connection& c) {
  Query q(c, std::string("SELECT ") + kColumns + " FROM users ORDER BY id");
  std::vector<UserRow> out;
  while (q.Next()) out.push_back(Read(q));
  return out;
}

std::optional<UserRow> FindUserByUsername(Connection& c, std::string_view username) {
  Query q(c, std::string("SELECT ") + kColumns + " FROM users WHERE username = ?1", username);
  if (q.Next()) return Read(q);
  return std::nullopt;
}

std::optional<Id> FindUserIdByEmail(Connection& c, std::string_view email) {
  return QueryInt(c, "SELECT MIN(id) FROM users WHERE lower(email) = lower(?1)", email);
}

void SetToken(Connection& c, Id user_id, std::string_view key) {
  Query(c, "DELETE FROM tokens WHERE user_id = ?1", user_id).Run();
  Query(c, "INSERT INTO tokens (key, user_id, created) VALUES (?1, ?2, ?3)", key, user_id,
        NowMicros())
      .Run();
}

std::optional<std::string> TokenOf(Connection& c, Id user_id) {
  Query q(c, "SELECT key FROM tokens WHERE user_id = ?1", user_id);
  if (q.Next()) return q.Str(0);
  return std::nullopt;
}

bool UserExists(Connection& c, Id user_id) {
  return QueryInt(c, "SELECT id FROM users WHERE id = ?1", user_id).has_value();
}

namespace {
template <typename T>
void SetIf(Connection& c, std::string_view sql, const std::optional<T>& v, Id id) {
  if (v) Query(c, sql, *v, id).Run();
}
}  // namespace

void UpdateUserFields(Connection& c, Id user_id, const UserChanges& ch) {
  SetIf(c, "UPDATE users SET first_name = ?1 WHERE id = ?2", ch.first_name, user_id);
  SetIf(c, "UPDATE users SET last_name = ?1 WHERE id = ?2", ch.last_name, user_id);
  SetIf(c, "UPDATE users SET send_email = ?1 WHERE id = ?2", ch.send_email, user_id);
  SetIf(c, "UPDATE users SET show_ids = ?1 WHERE id = ?2", ch.show_ids, user_id);
  SetIf(c, "UPDATE users SET items_per_page = ?1 WHERE id = ?2", ch.items_per_page, user_id);
}

}  // namespace pb::db
