// Bundles and their patch lists (spec §3.8.10): the writes behind
// service/bundles. Every function runs inside the caller's transaction.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// True when `owner` has another bundle (not `except`) named `name`.
bool BundleNameTaken(Connection& c, Id owner, std::string_view name, std::optional<Id> except);
Id InsertBundle(Connection& c, Id owner, Id project_id, std::string_view name, bool is_public);
void SetBundleName(Connection& c, Id bundle_id, std::string_view name);
void SetBundlePublic(Connection& c, Id bundle_id, bool is_public);
void SetBundleProject(Connection& c, Id bundle_id, Id project_id);
// Replaces the contents in this order; a repeated id is stored once, at its
// first position.
void ReplaceBundlePatches(Connection& c, Id bundle_id, const std::vector<Id>& patches);
// Deletes the bundle and its patch list; false when there was no bundle.
bool DeleteBundle(Connection& c, Id bundle_id);

}  // namespace pb::db
