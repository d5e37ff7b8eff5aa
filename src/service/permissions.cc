#include "service/permissions.h"

namespace pb::service {

bool IsProjectMaintainer(db::Connection& c, std::optional<db::Id> user, db::Id project_id) {
  if (!user) return false;
  return db::QueryInt(c, "SELECT 1 FROM project_maintainers WHERE user_id = ?1 AND project_id = ?2",
                      *user, project_id)
      .has_value();
}

bool CanEditPatch(db::Connection& c, std::optional<db::Id> user, db::Id patch_id) {
  if (!user) return false;
  return db::QueryInt(c,
                      "SELECT 1 FROM patches p JOIN people pe ON pe.id = p.submitter_id "
                      "WHERE p.id = ?1 AND (pe.user_id = ?2 OR p.delegate_id = ?2 OR EXISTS "
                      "(SELECT 1 FROM project_maintainers m WHERE m.user_id = ?2 "
                      "AND m.project_id = p.project_id))",
                      patch_id, *user)
      .has_value();
}

}  // namespace pb::service
