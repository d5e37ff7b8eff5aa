#include "service/permissions.h"

#include "db/read/permissions_read.h"

namespace pb::service {

bool IsProjectMaintainer(db::Connection& c, std::optional<db::Id> user, db::Id project_id) {
  return user && db::read::UserMaintainsProject(c, *user, project_id);
}

bool CanEditPatch(db::Connection& c, std::optional<db::Id> user, db::Id patch_id) {
  return user && db::read::UserMayEditPatch(c, *user, patch_id);
}

bool CanEditPatchComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id) {
  if (!user) return false;
  auto patch = db::read::PatchOfPatchComment(c, comment_id);
  if (!patch) return false;
  if (db::read::UserWrotePatchComment(c, *user, comment_id)) return true;
  return CanEditPatch(c, user, *patch);
}

bool CanEditCoverComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id) {
  return user && db::read::UserMayEditCoverComment(c, *user, comment_id);
}

}  // namespace pb::service
