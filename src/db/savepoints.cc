#include "db/savepoints.h"

namespace pb::db {

// Opening is sent without waiting (Statement::Send).
void OpenSavepoint(Connection& c) { Query(c, "SAVEPOINT mail").Send(); }

// A mail's writes still unanswered are waited for here, so an error is raised
// while its savepoint can still undo it. When a later read of the mail has
// answered for all of them (the usual case: a stored mail ends with the
// WhatAwaits probe), the release itself cannot fail for this mail's sake:
// it rides in the pipeline with the next mail's first read instead of
// costing a round trip of its own.
void ReleaseSavepoint(Connection& c) {
  bool unanswered = c.HasUnsyncedWrites();
  Query(c, "RELEASE SAVEPOINT mail").Send();
  if (unanswered) c.Sync();
}

void RollbackToSavepoint(Connection& c) {
  // A queued write's failure is what is being undone here: it must be read
  // first, as a failed pipeline skips what follows it until its sync.
  try { c.Sync(); } catch (const DbError&) {}
  Query(c, "ROLLBACK TO SAVEPOINT mail").Send();
  Query(c, "RELEASE SAVEPOINT mail").Send();
}

}  // namespace pb::db
