// Bundles (spec §3.8.10): create, update, delete. Ownership and visibility
// are the caller's checks. Upstream raises no events for bundles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

struct BundleChanges {
  std::optional<std::string> name;
  std::optional<bool> is_public;
  // Non-empty: replaces the contents in this order (the project becomes the
  // first patch's); a repeated id is stored once, at its first position.
  std::optional<std::vector<db::Id>> patches;
};

// kDuplicate when the owner already has a bundle of that name.
Result<db::Id> CreateBundle(db::Connection& c, db::Id owner_id, const std::string& name, bool is_public,
                            const std::vector<db::Id>& patches);
Status UpdateBundle(db::Connection& c, db::Id bundle_id, const BundleChanges& changes);
Status DeleteBundle(db::Connection& c, db::Id bundle_id);

}  // namespace pb::service
