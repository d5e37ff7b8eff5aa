#include "db/savepoints.h"

namespace pb::db {

// Opening and releasing are sent without waiting (Statement::Send); the
// release then waits for every write of the mail, so an error is raised
// while its savepoint can still undo it.
void OpenSavepoint(Connection& c) { Query(c, "SAVEPOINT mail").Send(); }

void ReleaseSavepoint(Connection& c) {
  Query(c, "RELEASE SAVEPOINT mail").Send();
  c.Sync();
}

void RollbackToSavepoint(Connection& c) {
  // A queued write's failure is what is being undone here.
  try { c.Sync(); } catch (const DbError&) {}
  Query(c, "ROLLBACK TO SAVEPOINT mail").Run();
  Query(c, "RELEASE SAVEPOINT mail").Run();
}

}  // namespace pb::db
