// Writes to bundles' contents one patch at a time, as the web UI's bundle
// forms change them (append at the end, remove, move). Called inside the
// service's transactions (service/bundle_contents.h).
#pragma once

#include <string>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

Id InsertBundle(Connection& c, Id owner_id, Id project_id, const std::string& name, bool is_public);
bool BundleNameTaken(Connection& c, Id owner_id, const std::string& name);
bool BundleHasPatch(Connection& c, Id bundle_id, Id patch_id);
// Adds the patch after the bundle's last one (BundlePatch order max + 1).
void AppendBundlePatch(Connection& c, Id bundle_id, Id patch_id);
// False when the patch was not in the bundle.
bool DeleteBundlePatch(Connection& c, Id bundle_id, Id patch_id);
// False when the patch is not in the bundle.
bool SetBundlePatchPosition(Connection& c, Id bundle_id, Id patch_id, int64_t position);
// The position of a patch in a bundle, if it is there.
std::optional<int64_t> BundlePatchPosition(Connection& c, Id bundle_id, Id patch_id);

}  // namespace pb::db
