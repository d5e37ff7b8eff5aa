#include "db/bundles.h"

#include <set>

namespace pb::db {
namespace {

void DeleteBundlePatches(Connection& c, Id bundle_id) {
  Query(c, "DELETE FROM bundle_patches WHERE bundle_id = ?1", bundle_id).Run();
}

}  // namespace

bool BundleNameTaken(Connection& c, Id owner, std::string_view name, std::optional<Id> except) {
  return QueryInt(c, "SELECT id FROM bundles WHERE owner_id = ?1 AND name = ?2 AND id <> ?3", owner, name,
                  except.value_or(-1))
      .has_value();
}

Id InsertBundle(Connection& c, Id owner, Id project_id, std::string_view name, bool is_public) {
  return *QueryInt(c,
                   "INSERT INTO bundles (owner_id, project_id, name, public) "
                   "VALUES (?1, ?2, ?3, ?4) RETURNING id",
                   owner, project_id, name, is_public ? 1 : 0);
}

void SetBundleName(Connection& c, Id bundle_id, std::string_view name) {
  Query(c, "UPDATE bundles SET name = ?1 WHERE id = ?2", name, bundle_id).Run();
}

void SetBundlePublic(Connection& c, Id bundle_id, bool is_public) {
  Query(c, "UPDATE bundles SET public = ?1 WHERE id = ?2", is_public ? 1 : 0, bundle_id).Run();
}

void SetBundleProject(Connection& c, Id bundle_id, Id project_id) {
  Query(c, "UPDATE bundles SET project_id = ?1 WHERE id = ?2", project_id, bundle_id).Run();
}

void ReplaceBundlePatches(Connection& c, Id bundle_id, const std::vector<Id>& patches) {
  DeleteBundlePatches(c, bundle_id);
  std::set<Id> seen;
  int position = 0;
  for (Id id : patches) {
    if (!seen.insert(id).second) continue;
    Query(c, "INSERT INTO bundle_patches (bundle_id, patch_id, position) VALUES (?1, ?2, ?3)", bundle_id,
          id, ++position)
        .Run();
  }
}

bool DeleteBundle(Connection& c, Id bundle_id) {
  DeleteBundlePatches(c, bundle_id);
  return Query(c, "DELETE FROM bundles WHERE id = ?1", bundle_id).Run() != 0;
}

}  // namespace pb::db
