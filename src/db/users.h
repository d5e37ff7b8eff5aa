// Users (accounts that log in) and their API tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// `password_hash` is a Django-format hash (service/passwords.h) or "" for none.
Id InsertUser(Connection& c, const UserRow& u, std::string_view password_hash);
std::vector<UserRow> ListUsers(Connection& c);
std::optional<UserRow> FindUserByUsername(Connection& c, std::string_view username);
// Case-insensitive; nullopt when none. Several matches: the lowest id.
std::optional<Id> FindUserIdByEmail(Connection& c, std::string_view email);
// Replaces the user's token.
void SetToken(Connection& c, Id user_id, std::string_view key);
std::optional<std::string> TokenOf(Connection& c, Id user_id);

// A user's names and profile settings (REST /api/users/{id}/, spec
// §3.8.3). Unset members are left alone; each set member costs one UPDATE.
struct UserChanges {
  std::optional<std::string> first_name, last_name;
  std::optional<bool> send_email, show_ids;
  std::optional<int64_t> items_per_page;
};
bool UserExists(Connection& c, Id user_id);
void UpdateUserFields(Connection& c, Id user_id, const UserChanges& changes);

}  // namespace pb::db
