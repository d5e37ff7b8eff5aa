// Placeholder translation for PostgreSQL: the repositories write SQLite's
// numbered placeholders (?1, ?2, ...); libpq wants $1, $2, ... . Question
// marks inside string literals, quoted identifiers and comments are left alone.
#pragma once

#include <string>
#include <string_view>

namespace pb::db {

struct PgSql {
  std::string text;  // with $N placeholders
  int params = 0;    // highest placeholder number
};

PgSql TranslatePlaceholders(std::string_view sql);

}  // namespace pb::db
