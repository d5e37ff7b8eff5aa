// Opening and migrating the database for a command, with errors printed.
#pragma once

#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::cli {

// Opens the URL and applies pending migrations; prints the error and returns
// null on failure.
std::unique_ptr<db::Connection> OpenMigrated(const std::string& url);

}  // namespace pb::cli
