#include "db/connection.h"
#include "db/sqlite/sqlite_connection.h"

namespace pb::db {

std::unique_ptr<Connection> Open(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  std::string_view u = url;
  if (u.starts_with(kSqlite)) return OpenSqlite(std::string(u.substr(kSqlite.size())));
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    throw DbError(DbError::Kind::kGeneric,
                  "the PostgreSQL backend is not built yet; use sqlite:///path/to.db");
  }
  return OpenSqlite(url);
}

}  // namespace pb::db
