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

bool CanEditPatchComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id) {
  if (!user) return false;
  auto patch = db::QueryInt(c,
                            "SELECT pc.patch_id FROM patch_comments pc JOIN people pe ON "
                            "pe.id = pc.submitter_id WHERE pc.id = ?1",
                            comment_id);
  if (!patch) return false;
  if (db::QueryInt(c,
                   "SELECT 1 FROM patch_comments pc JOIN people pe ON pe.id = pc.submitter_id "
                   "WHERE pc.id = ?1 AND pe.user_id = ?2",
                   comment_id, *user)) {
    return true;
  }
  return CanEditPatch(c, user, *patch);
}

bool CanEditCoverComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id) {
  if (!user) return false;
  return db::QueryInt(c,
                      "SELECT 1 FROM cover_comments cc JOIN people pe ON pe.id = cc.submitter_id "
                      "JOIN covers cv ON cv.id = cc.cover_id JOIN people cpe ON cpe.id = cv.submitter_id "
                      "WHERE cc.id = ?1 AND (pe.user_id = ?2 OR cpe.user_id = ?2 OR EXISTS "
                      "(SELECT 1 FROM project_maintainers m WHERE m.user_id = ?2 "
                      "AND m.project_id = cv.project_id))",
                      comment_id, *user)
      .has_value();
}

}  // namespace pb::service
