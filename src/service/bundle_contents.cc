#include "service/bundle_contents.h"

#include "db/bundle_patches.h"
#include "db/mail_store.h"
#include "service/db_failure.h"

namespace pb::service {

Result<db::Id> CreateEmptyBundle(db::Connection& c, db::Id owner_id, db::Id project_id,
                                 const std::string& name, bool is_public) {
  try {
    db::Transaction tx(c);
    if (db::BundleNameTaken(c, owner_id, name)) return Status::Duplicate("bundle name taken");
    db::Id id = db::InsertBundle(c, owner_id, project_id, name, is_public);
    db::BumpGeneration(c);
    tx.Commit();
    return id;
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Result<std::vector<bool>> AddToBundle(db::Connection& c, db::Id bundle_id,
                                      const std::vector<db::Id>& patch_ids) {
  try {
    db::Transaction tx(c);
    std::vector<bool> added;
    for (db::Id id : patch_ids) {
      bool fresh = !db::BundleHasPatch(c, bundle_id, id);
      if (fresh) db::AppendBundlePatch(c, bundle_id, id);
      added.push_back(fresh);
    }
    db::BumpGeneration(c);
    tx.Commit();
    return added;
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Result<std::vector<bool>> RemoveFromBundle(db::Connection& c, db::Id bundle_id,
                                           const std::vector<db::Id>& patch_ids) {
  try {
    db::Transaction tx(c);
    std::vector<bool> removed;
    for (db::Id id : patch_ids) removed.push_back(db::DeleteBundlePatch(c, bundle_id, id));
    db::BumpGeneration(c);
    tx.Commit();
    return removed;
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Status ReorderBundle(db::Connection& c, db::Id bundle_id, db::Id order_start,
                     const std::vector<db::Id>& new_order) {
  try {
    db::Transaction tx(c);
    auto position = db::BundlePatchPosition(c, bundle_id, order_start);
    if (!position) return Status::NotFound("patch not in bundle");
    int64_t next = *position;
    for (db::Id id : new_order) {
      if (!db::SetBundlePatchPosition(c, bundle_id, id, next++)) {
        return Status::NotFound("patch not in bundle");
      }
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
