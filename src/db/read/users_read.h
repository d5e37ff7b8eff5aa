// Read-side lookups of users, people and other referenced rows: API
// authentication and the id-or-name resolution of list filters (spec §3.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/rows.h"

namespace pb::db::read {

struct AuthUserRec {
  UserRec user;
  bool is_active = true;
  bool is_superuser = false;
  std::string password;  // Django-format hash
};

std::optional<AuthUserRec> UserByToken(Connection& c, std::string_view key);
std::optional<AuthUserRec> UserByUsername(Connection& c, std::string_view username);
std::optional<AuthUserRec> UserById(Connection& c, Id id);

// Existence checks by id, for the tables requests refer to by id.
enum class Table { kPatches, kCovers, kSeries, kPeople, kUsers };
bool RowExists(Connection& c, Table table, Id id);
// Case-insensitive (ASCII) lookups; empty when nothing matches.
std::vector<Id> PersonIdsByEmail(Connection& c, std::string_view email);
std::vector<Id> UserIdsByUsername(Connection& c, std::string_view username);

// People pages (spec §3.8.2): search terms match name or email.
enum class PersonOrder { kId, kName, kEmail };
struct PersonFilter {
  std::vector<std::string> search;
  std::vector<std::pair<PersonOrder, bool>> order;  // (key, descending); empty: id
};
int64_t CountPeople(Connection& c, const PersonFilter& f, CountCache* cache, int64_t generation);
std::vector<PersonRec> ListPeople(Connection& c, const PersonFilter& f, int64_t limit,
                                  int64_t offset);
std::optional<PersonRec> GetPerson(Connection& c, Id id);

// Users pages (spec §3.8.3): search terms match username, first/last name
// or email; order by id (default), username, email.
enum class UserOrder { kId, kUsername, kEmail };
struct UserFilter {
  std::vector<std::string> search;
  std::vector<std::pair<UserOrder, bool>> order;  // (key, descending); empty: id
};
int64_t CountUsers(Connection& c, const UserFilter& f, CountCache* cache, int64_t generation);
std::vector<UserRec> ListUsers(Connection& c, const UserFilter& f, int64_t limit,
                               int64_t offset);

// A user with the profile settings the detail view shows to the user themself.
struct UserDetailRec {
  UserRec user;
  bool send_email = false;
  int64_t items_per_page = 100;
  bool show_ids = false;
};
std::optional<UserDetailRec> GetUserDetail(Connection& c, Id id);

}  // namespace pb::db::read
