#include "service/bundles.h"

#include <set>

#include "db/mail_store.h"

namespace pb::service {
namespace {

void WritePatches(db::Connection& c, db::Id bundle_id, const std::vector<db::Id>& patches) {
  db::Query(c, "DELETE FROM bundle_patches WHERE bundle_id = ?1", bundle_id).Run();
  std::set<db::Id> seen;
  int position = 0;
  for (db::Id id : patches) {
    if (!seen.insert(id).second) continue;
    db::Query(c, "INSERT INTO bundle_patches (bundle_id, patch_id, position) VALUES (?1, ?2, ?3)",
              bundle_id, id, ++position)
        .Run();
  }
}

std::optional<db::Id> ProjectOf(db::Connection& c, db::Id patch_id) {
  return db::QueryInt(c, "SELECT project_id FROM patches WHERE id = ?1", patch_id);
}

bool NameTaken(db::Connection& c, db::Id owner, const std::string& name, std::optional<db::Id> except) {
  return db::QueryInt(c, "SELECT id FROM bundles WHERE owner_id = ?1 AND name = ?2 AND id <> ?3", owner,
                      name, except.value_or(-1))
      .has_value();
}

}  // namespace

Result<db::Id> CreateBundle(db::Connection& c, db::Id owner_id, const std::string& name, bool is_public,
                            const std::vector<db::Id>& patches) {
  try {
    if (patches.empty()) return Status::Invalid("Bundles cannot be empty");
    db::Transaction tx(c);
    auto project = ProjectOf(c, patches.front());
    if (!project) return Status::NotFound("no patch " + std::to_string(patches.front()));
    if (NameTaken(c, owner_id, name, std::nullopt)) return Status::Duplicate("bundle name taken");
    db::Id id = *db::QueryInt(c,
                              "INSERT INTO bundles (owner_id, project_id, name, public) "
                              "VALUES (?1, ?2, ?3, ?4) RETURNING id",
                              owner_id, *project, name, is_public ? 1 : 0);
    WritePatches(c, id, patches);
    db::BumpGeneration(c);
    tx.Commit();
    return id;
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

Status UpdateBundle(db::Connection& c, db::Id bundle_id, const BundleChanges& ch) {
  try {
    db::Transaction tx(c);
    auto owner = db::QueryInt(c, "SELECT owner_id FROM bundles WHERE id = ?1", bundle_id);
    if (!owner) return Status::NotFound("no bundle " + std::to_string(bundle_id));
    if (ch.name) {
      if (NameTaken(c, *owner, *ch.name, bundle_id)) return Status::Duplicate("bundle name taken");
      db::Query(c, "UPDATE bundles SET name = ?1 WHERE id = ?2", *ch.name, bundle_id).Run();
    }
    if (ch.is_public) {
      db::Query(c, "UPDATE bundles SET public = ?1 WHERE id = ?2", *ch.is_public ? 1 : 0, bundle_id).Run();
    }
    if (ch.patches && !ch.patches->empty()) {
      auto project = ProjectOf(c, ch.patches->front());
      if (!project) return Status::NotFound("no patch " + std::to_string(ch.patches->front()));
      db::Query(c, "UPDATE bundles SET project_id = ?1 WHERE id = ?2", *project, bundle_id).Run();
      WritePatches(c, bundle_id, *ch.patches);
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

Status DeleteBundle(db::Connection& c, db::Id bundle_id) {
  try {
    db::Transaction tx(c);
    db::Query(c, "DELETE FROM bundle_patches WHERE bundle_id = ?1", bundle_id).Run();
    if (db::Query(c, "DELETE FROM bundles WHERE id = ?1", bundle_id).Run() == 0) {
      return Status::NotFound("no bundle " + std::to_string(bundle_id));
    }
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

}  // namespace pb::service
