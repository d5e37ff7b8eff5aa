// A nested write scope inside the caller's transaction: one mail of a
// `parsearchive` batch, so a failing mail is undone without losing the
// batch. Savepoints do not nest here: one is open at a time.
#pragma once

#include "db/connection.h"

namespace pb::db {

void OpenSavepoint(Connection& c);
void ReleaseSavepoint(Connection& c);
// Undoes everything since OpenSavepoint and closes the savepoint.
void RollbackToSavepoint(Connection& c);

}  // namespace pb::db
