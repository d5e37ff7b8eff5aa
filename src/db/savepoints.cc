#include "db/savepoints.h"

namespace pb::db {

void OpenSavepoint(Connection& c) { Query(c, "SAVEPOINT mail").Run(); }

void ReleaseSavepoint(Connection& c) { Query(c, "RELEASE SAVEPOINT mail").Run(); }

void RollbackToSavepoint(Connection& c) {
  Query(c, "ROLLBACK TO SAVEPOINT mail").Run();
  ReleaseSavepoint(c);
}

}  // namespace pb::db
