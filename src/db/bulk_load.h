// What an archive import (parsearchive) needs of the database besides its
// writes: to run long write batches cheaply, and to tell whether a mail
// wrote anything without opening a savepoint for it.
#pragma once

#include <cstdint>
#include <optional>

#include "db/connection.h"

namespace pb::db {

// Rows inserted, updated or deleted through this connection since it
// opened, where the backend counts them without a round trip (SQLite,
// total_changes()); nullopt elsewhere. Two readings tell whether a mail
// that stops wrote anything that must be undone.
std::optional<int64_t> RowsChanged(Connection& c);

}  // namespace pb::db
