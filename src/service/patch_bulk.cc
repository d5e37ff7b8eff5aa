#include "service/patch_bulk.h"

#include "db/mail_store.h"
#include "service/db_failure.h"

namespace pb::service {

bool PatchEditable(const db::read::PatchOwnerRec& patch, std::optional<db::Id> user,
                   const db::read::ProjectRec* project) {
  if (!user) return false;
  if (patch.submitter_user_id == user || patch.delegate_id == user) return true;
  if (!project) return false;
  for (const auto& m : project->maintainers) {
    if (m.id == *user) return true;
  }
  return false;
}

Status UpdatePatches(db::Connection& c, const std::vector<db::Id>& patch_ids,
                     const PatchChanges& changes, std::optional<db::Id> actor) {
  try {
    db::Transaction tx(c);
    for (db::Id id : patch_ids) {
      Status s = ApplyPatchChanges(c, id, changes, actor);
      if (!s.ok()) return s;
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
