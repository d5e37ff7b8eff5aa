// Opening an upstream Patchwork database to import from.
#pragma once

#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::db::import {

// "sqlite:///path" opens the file read-only (it is not switched to WAL);
// "postgresql://..." / "postgres://..." go through the PostgreSQL backend;
// "mysql://..." / "mariadb://..." through the MariaDB client library (read only).
// Throws DbError when the URL names a backend that is not built.
std::unique_ptr<Connection> OpenSource(const std::string& url);

}  // namespace pb::db::import
