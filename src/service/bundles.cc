#include "service/bundles.h"

#include "db/bundles.h"
#include "db/mail_store.h"
#include "db/read/bundles_read.h"
#include "db/read/patches_read.h"
#include "service/db_failure.h"

namespace pb::service {

Result<db::Id> CreateBundle(db::Connection& c, db::Id owner_id, const std::string& name, bool is_public,
                            const std::vector<db::Id>& patches) {
  try {
    if (patches.empty()) return Status::Invalid("Bundles cannot be empty");
    db::Transaction tx(c);
    auto project = db::read::PatchProjectId(c, patches.front());
    if (!project) return Status::NotFound("no patch " + std::to_string(patches.front()));
    if (db::BundleNameTaken(c, owner_id, name, std::nullopt)) return Status::Duplicate("bundle name taken");
    db::Id id = db::InsertBundle(c, owner_id, *project, name, is_public);
    db::ReplaceBundlePatches(c, id, patches);
    db::BumpGeneration(c);
    tx.Commit();
    return id;
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Status UpdateBundle(db::Connection& c, db::Id bundle_id, const BundleChanges& ch) {
  try {
    db::Transaction tx(c);
    auto owner = db::read::FindBundleOwner(c, bundle_id);
    if (!owner) return Status::NotFound("no bundle " + std::to_string(bundle_id));
    if (ch.name) {
      if (db::BundleNameTaken(c, *owner, *ch.name, bundle_id)) return Status::Duplicate("bundle name taken");
      db::SetBundleName(c, bundle_id, *ch.name);
    }
    if (ch.is_public) db::SetBundlePublic(c, bundle_id, *ch.is_public);
    if (ch.patches && !ch.patches->empty()) {
      auto project = db::read::PatchProjectId(c, ch.patches->front());
      if (!project) return Status::NotFound("no patch " + std::to_string(ch.patches->front()));
      db::SetBundleProject(c, bundle_id, *project);
      db::ReplaceBundlePatches(c, bundle_id, *ch.patches);
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Status DeleteBundle(db::Connection& c, db::Id bundle_id) {
  try {
    db::Transaction tx(c);
    if (!db::DeleteBundle(c, bundle_id)) {
      return Status::NotFound("no bundle " + std::to_string(bundle_id));
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
