// Opening and migrating the database for a command, with errors printed.
#pragma once

#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::cli {

// Opens the URL and applies pending migrations; prints the error and returns
// null on failure. *unavailable (when given) says whether the failure was the
// database server not being there (a temporary failure: exit 75).
std::unique_ptr<db::Connection> OpenMigrated(const std::string& url, bool* unavailable = nullptr);

}  // namespace pb::cli
