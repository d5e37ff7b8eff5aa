#include "db/import/source.h"

#include "db/mariadb/mariadb_connection.h"
#include "db/sqlite/sqlite_connection.h"

namespace pb::db::import {

std::unique_ptr<Connection> OpenSource(const std::string& url) {
  std::string_view u = url;
  if (u.starts_with("sqlite://")) return OpenSqlite(std::string(u.substr(9)), /*read_only=*/true);
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) return Open(url);
  if (u.starts_with("mysql://") || u.starts_with("mariadb://")) return OpenMariadb(url);
  throw DbError(DbError::Kind::kGeneric,
                "--from wants sqlite:///path, postgresql://... or mysql://..., not '" + url + "'");
}

}  // namespace pb::db::import
