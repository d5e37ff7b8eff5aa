#include "service/user_updates.h"

#include "db/mail_store.h"
#include "db/projects.h"
#include "db/users.h"
#include "service/db_failure.h"

namespace pb::service {

Status UpdateUser(db::Connection& c, db::Id user_id, const UserChanges& ch) {
  try {
    db::Transaction tx(c);
    if (!db::UserExists(c, user_id)) return Status::NotFound("no user " + std::to_string(user_id));
    db::UpdateUserFields(c, user_id, ch);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Status UpdateProject(db::Connection& c, db::Id project_id, const ProjectChanges& ch) {
  try {
    db::Transaction tx(c);
    if (!db::ProjectExists(c, project_id)) {
      return Status::NotFound("no project " + std::to_string(project_id));
    }
    db::UpdateProjectFields(c, project_id, ch);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
