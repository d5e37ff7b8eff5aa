#include "service/patch_edits.h"

#include "db/mail_store.h"
#include "service/db_failure.h"

namespace pb::service {

PatchEditsResult ApplyPatchEdits(db::Connection& c, const std::vector<PatchEdit>& edits,
                                 std::optional<db::Id> actor) {
  PatchEditsResult r;
  try {
    db::Transaction tx(c);
    for (size_t i = 0; i < edits.size(); ++i) {
      const auto& e = edits[i];
      r.failed_index = i;
      if (e.related) {
        r.relation = SetRelatedInTx(c, e.patch_id, *e.related, actor);
        if (r.relation != RelationResult::kOk) {
          r.status = Status(r.relation == RelationResult::kNotFound ? Code::kNotFound : Code::kConflict,
                            "relation update refused");
          return r;  // rolled back
        }
      }
      r.status = ApplyPatchChanges(c, e.patch_id, e.changes, actor);
      if (!r.status.ok()) return r;
    }
    db::BumpGeneration(c);
    tx.Commit();
    r.status = Status::Ok();
    return r;
  } catch (const db::DbError& e) {
    r.status = DatabaseFailure(e);
    return r;
  }
}

}  // namespace pb::service
