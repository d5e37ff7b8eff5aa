#pragma once

#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::db {

// PostgreSQL through libpq. `conninfo` is any libpq connection string or
// URI ("postgresql://user:pass@host:port/db", "postgresql:///db?host=/run/postgresql").
// Throws DbError(kUnavailable) when the server cannot be reached.
std::unique_ptr<Connection> OpenPostgres(const std::string& conninfo);

}  // namespace pb::db
