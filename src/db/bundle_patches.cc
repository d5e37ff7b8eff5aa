#include "db/bundle_patches.h"

namespace pb::db {

Id InsertBundle(Connection& c, Id owner_id, Id project_id, const std::string& name, bool is_public) {
  return *QueryInt(c,
                   "INSERT INTO bundles (owner_id, project_id, name, public) VALUES (?1, ?2, ?3, ?4) "
                   "RETURNING id",
                   owner_id, project_id, name, is_public ? 1 : 0);
}

bool BundleNameTaken(Connection& c, Id owner_id, const std::string& name) {
  return QueryInt(c, "SELECT 1 FROM bundles WHERE owner_id = ?1 AND name = ?2", owner_id, name)
      .has_value();
}

bool BundleHasPatch(Connection& c, Id bundle_id, Id patch_id) {
  return BundlePatchPosition(c, bundle_id, patch_id).has_value();
}

void AppendBundlePatch(Connection& c, Id bundle_id, Id patch_id) {
  Query(c,
        "INSERT INTO bundle_patches (bundle_id, patch_id, position) VALUES (?1, ?2, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM bundle_patches WHERE bundle_id = ?1))",
        bundle_id, patch_id)
      .Run();
}

bool DeleteBundlePatch(Connection& c, Id bundle_id, Id patch_id) {
  return Query(c, "DELETE FROM bundle_patches WHERE bundle_id = ?1 AND patch_id = ?2", bundle_id,
               patch_id)
             .Run() > 0;
}

bool SetBundlePatchPosition(Connection& c, Id bundle_id, Id patch_id, int64_t position) {
  return Query(c, "UPDATE bundle_patches SET position = ?3 WHERE bundle_id = ?1 AND patch_id = ?2",
               bundle_id, patch_id, position)
             .Run() > 0;
}

std::optional<int64_t> BundlePatchPosition(Connection& c, Id bundle_id, Id patch_id) {
  return QueryInt(c, "SELECT position FROM bundle_patches WHERE bundle_id = ?1 AND patch_id = ?2",
                  bundle_id, patch_id);
}

}  // namespace pb::db
