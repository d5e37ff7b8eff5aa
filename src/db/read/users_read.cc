#include "db/read/users_read.h"

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kAuthColumns =
    "u.id, u.username, u.first_name, u.last_name, u.email, u.is_active, u.is_superuser, "
    "u.password";

std::optional<AuthUserRec> ReadAuthUser(Query& q) {
  if (!q.Next()) return std::nullopt;
  AuthUserRec r;
  r.user = UserRec{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Str(4)};
  r.is_active = q.Int(5) != 0;
  r.is_superuser = q.Int(6) != 0;
  r.password = q.Str(7);
  return r;
}

std::string PeopleWhere(const PersonFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  for (const auto& term : f.search) {
    std::string pattern = LikePattern(term);
    std::string a = args.Add(pattern);
    w += " AND (LOWER(p.name) LIKE " + a + " ESCAPE '\\' OR LOWER(p.email) LIKE " + a +
         " ESCAPE '\\')";
  }
  return w;
}

void ReadPerson(Statement& st, PersonRec& p) {
  p.id = st.Int(0);
  if (!st.IsNull(1)) p.name = std::string(st.Text(1));
  p.email = std::string(st.Text(2));
  if (!st.IsNull(3)) {
    p.user = UserRec{st.Int(3), std::string(st.Text(4)), std::string(st.Text(5)),
                     std::string(st.Text(6)), std::string(st.Text(7))};
  }
}

constexpr const char* kPersonSelect =
    "SELECT p.id, p.name, p.email, u.id, u.username, u.first_name, u.last_name, u.email "
    "FROM people p LEFT JOIN users u ON u.id = p.user_id";

}  // namespace

std::optional<AuthUserRec> UserByToken(Connection& c, std::string_view key) {
  static const std::string sql = std::string("SELECT ") + kAuthColumns +
                                 " FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.key = ?1";
  Query q(c, sql, key);
  return ReadAuthUser(q);
}

std::optional<AuthUserRec> UserByUsername(Connection& c, std::string_view username) {
  static const std::string sql =
      std::string("SELECT ") + kAuthColumns + " FROM users u WHERE u.username = ?1";
  Query q(c, sql, username);
  return ReadAuthUser(q);
}

std::optional<AuthUserRec> UserById(Connection& c, Id id) {
  static const std::string sql = std::string("SELECT ") + kAuthColumns + " FROM users u WHERE u.id = ?1";
  Query q(c, sql, id);
  return ReadAuthUser(q);
}

bool RowExists(Connection& c, Table table, Id id) {
  std::string_view sql = "SELECT 1 FROM users WHERE id = ?1";
  switch (table) {
    case Table::kPatches: sql = "SELECT 1 FROM patches WHERE id = ?1"; break;
    case Table::kCovers: sql = "SELECT 1 FROM covers WHERE id = ?1"; break;
    case Table::kSeries: sql = "SELECT 1 FROM series WHERE id = ?1"; break;
    case Table::kPeople: sql = "SELECT 1 FROM people WHERE id = ?1"; break;
    case Table::kUsers: break;
  }
  Query q(c, sql, id);
  return q.Next();
}

std::vector<Id> PersonIdsByEmail(Connection& c, std::string_view email) {
  std::vector<Id> ids;
  Query q(c, "SELECT id FROM people WHERE lower(email) = ?1 ORDER BY id", LowerAscii(email));
  while (q.Next()) ids.push_back(q.Int(0));
  return ids;
}

std::vector<Id> UserIdsByUsername(Connection& c, std::string_view username) {
  std::vector<Id> ids;
  Query q(c, "SELECT id FROM users WHERE lower(username) = ?1 ORDER BY id", LowerAscii(username));
  while (q.Next()) ids.push_back(q.Int(0));
  return ids;
}

int64_t CountPeople(Connection& c, const PersonFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = "SELECT COUNT(*) FROM people p" + PeopleWhere(f, args);
  std::string key = CacheKey(sql, args);
  int64_t n;
  if (cache && cache->Get(key, generation, &n)) return n;
  DynQuery q(c, sql, args);
  n = q.st().Step() ? q.st().Int(0) : 0;
  if (cache) cache->Put(key, generation, n);
  return n;
}

std::vector<PersonRec> ListPeople(Connection& c, const PersonFilter& f, int64_t limit,
                                  int64_t offset) {
  SqlArgs args;
  std::string where = PeopleWhere(f, args);
  std::string order;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!order.empty()) order += ", ";
    order += key == PersonOrder::kId ? "p.id" : key == PersonOrder::kName ? "p.name" : "p.email";
    if (desc) order += " DESC";
    if (key == PersonOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) order += order.empty() ? "p.id" : ", p.id";
  std::string sql = std::string(kPersonSelect) + where + " ORDER BY " + order +
                    LimitOffset(c.dialect(), args, limit, offset);
  DynQuery q(c, sql, args);
  std::vector<PersonRec> out;
  while (q.st().Step()) {
    PersonRec p;
    ReadPerson(q.st(), p);
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<PersonRec> GetPerson(Connection& c, Id id) {
  static const std::string sql = std::string(kPersonSelect) + " WHERE p.id = ?1";
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, sql, args);
  if (!q.st().Step()) return std::nullopt;
  PersonRec p;
  ReadPerson(q.st(), p);
  return p;
}

namespace {

std::string UsersWhere(const UserFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  for (const auto& term : f.search) {
    std::string a = args.Add(LikePattern(term));
    w += " AND (LOWER(u.username) LIKE " + a + " ESCAPE '\\' OR LOWER(u.first_name) LIKE " + a +
         " ESCAPE '\\' OR LOWER(u.last_name) LIKE " + a + " ESCAPE '\\' OR LOWER(u.email) LIKE " +
         a + " ESCAPE '\\')";
  }
  return w;
}

}  // namespace

int64_t CountUsers(Connection& c, const UserFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = "SELECT COUNT(*) FROM users u" + UsersWhere(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<UserRec> ListUsers(Connection& c, const UserFilter& f, int64_t limit,
                               int64_t offset) {
  SqlArgs args;
  std::string where = UsersWhere(f, args);
  std::string order;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!order.empty()) order += ", ";
    order += key == UserOrder::kId ? "u.id" : key == UserOrder::kUsername ? "u.username" : "u.email";
    if (desc) order += " DESC";
    if (key == UserOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) order += order.empty() ? "u.id" : ", u.id";
  std::string sql = "SELECT u.id, u.username, u.first_name, u.last_name, u.email FROM users u" +
                    where + " ORDER BY " + order +
                    LimitOffset(c.dialect(), args, limit, offset);
  DynQuery q(c, sql, args);
  std::vector<UserRec> out;
  while (q.st().Step()) {
    Statement& st = q.st();
    out.push_back(UserRec{st.Int(0), std::string(st.Text(1)), std::string(st.Text(2)),
                          std::string(st.Text(3)), std::string(st.Text(4))});
  }
  return out;
}

std::optional<UserDetailRec> GetUserDetail(Connection& c, Id id) {
  Query q(c,
          "SELECT id, username, first_name, last_name, email, send_email, items_per_page, "
          "show_ids FROM users WHERE id = ?1",
          id);
  if (!q.Next()) return std::nullopt;
  UserDetailRec r;
  r.user = UserRec{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Str(4)};
  r.send_email = q.Int(5) != 0;
  r.items_per_page = q.Int(6);
  r.show_ids = q.Int(7) != 0;
  return r;
}

}  // namespace pb::db::read
