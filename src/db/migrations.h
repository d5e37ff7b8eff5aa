// Versioned schema migrations. Each migration is applied once, in order, in
// its own transaction, and recorded in schema_migrations. The DDL is written
// once with a few dialect tokens ({{ID}} for an auto-increment primary key).
#pragma once

#include "core/status.h"
#include "db/connection.h"

namespace pb::db {

// Latest schema version this binary knows.
int LatestSchemaVersion();

// Applies every missing migration. Returns the number applied; a failed
// migration is rolled back and returned as a Database error. Throws
// DbError(kUnavailable) when the server cannot be reached.
Result<int> Migrate(Connection& conn);

// Current version of the database (0 when empty).
int CurrentSchemaVersion(Connection& conn);

}  // namespace pb::db
