#include "db/read/permissions_read.h"

namespace pb::db::read {

bool UserMaintainsProject(Connection& c, Id user_id, Id project_id) {
  return QueryInt(c, "SELECT 1 FROM project_maintainers WHERE user_id = ?1 AND project_id = ?2", user_id,
                  project_id)
      .has_value();
}

bool UserMayEditPatch(Connection& c, Id user_id, Id patch_id) {
  return QueryInt(c,
                  "SELECT 1 FROM patches p JOIN people pe ON pe.id = p.submitter_id "
                  "WHERE p.id = ?1 AND (pe.user_id = ?2 OR p.delegate_id = ?2 OR EXISTS "
                  "(SELECT 1 FROM project_maintainers m WHERE m.user_id = ?2 "
                  "AND m.project_id = p.project_id))",
                  patch_id, user_id)
      .has_value();
}

std::optional<Id> PatchOfPatchComment(Connection& c, Id comment_id) {
  return QueryInt(c,
                  "SELECT pc.patch_id FROM patch_comments pc JOIN people pe ON "
                  "pe.id = pc.submitter_id WHERE pc.id = ?1",
                  comment_id);
}

bool UserWrotePatchComment(Connection& c, Id user_id, Id comment_id) {
  return QueryInt(c,
                  "SELECT 1 FROM patch_comments pc JOIN people pe ON pe.id = pc.submitter_id "
                  "WHERE pc.id = ?1 AND pe.user_id = ?2",
                  comment_id, user_id)
      .has_value();
}

bool UserMayEditCoverComment(Connection& c, Id user_id, Id comment_id) {
  return QueryInt(c,
                  "SELECT 1 FROM cover_comments cc JOIN people pe ON pe.id = cc.submitter_id "
                  "JOIN covers cv ON cv.id = cc.cover_id JOIN people cpe ON cpe.id = cv.submitter_id "
                  "WHERE cc.id = ?1 AND (pe.user_id = ?2 OR cpe.user_id = ?2 OR EXISTS "
                  "(SELECT 1 FROM project_maintainers m WHERE m.user_id = ?2 "
                  "AND m.project_id = cv.project_id))",
                  comment_id, user_id)
      .has_value();
}

}  // namespace pb::db::read
