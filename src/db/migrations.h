// Versioned schema migrations. Each migration is applied once, in order, in
// its own transaction, and recorded in schema_migrations. The DDL is written
// once with a few dialect tokens ({{ID}} for an auto-increment primary key).
#pragma once

#include <span>

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

// On PostgreSQL, the references that migrations 18 and 19 keep by
// statement-level triggers on the parent (what deleting it does) instead of
// foreign-key constraints (which checked every inserted row with a query of
// its own): nothing checks a row's key on insert. `patchbay import`, which
// writes these tables with ids from elsewhere, checks them itself. SQLite
// keeps them all as constraints.
struct TriggerKey {
  const char* table;
  const char* column;
  const char* parent;  // its `id`
};
std::span<const TriggerKey> TriggerKeptKeys();

}  // namespace pb::db
