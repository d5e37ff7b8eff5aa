#include "db/connection.h"
#include "db/postgres/pg_connection.h"
#include "db/sqlite/sqlite_connection.h"

namespace pb::db {

std::unique_ptr<Connection> Open(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  std::string_view u = url;
  if (u.starts_with(kSqlite)) return OpenSqlite(std::string(u.substr(kSqlite.size())));
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    return OpenPostgres(url);
  }
  return OpenSqlite(url);
}

size_t IdListSize(size_t count) {
  size_t n = 1;
  while (n < count) n *= 2;
  return n;
}

std::string IdListPlaceholders(size_t count, int first_index) {
  std::string out;
  size_t n = IdListSize(count);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += '?' + std::to_string(first_index + static_cast<int>(i));
  }
  return out;
}

}  // namespace pb::db
