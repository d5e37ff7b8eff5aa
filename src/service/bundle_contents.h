// The web UI's bundle forms (spec §6.2, §6.4): a bundle created from a list
// (possibly empty), patches appended or removed one by one with a result per
// patch, and upstream's reordering. Each call is one transaction. Ownership
// checks are the caller's.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

// kDuplicate when the owner already has a bundle of that name.
Result<db::Id> CreateEmptyBundle(db::Connection& c, db::Id owner_id, db::Id project_id,
                                 const std::string& name, bool is_public);

// For each patch, in order: true when it was added (false: already there).
Result<std::vector<bool>> AddToBundle(db::Connection& c, db::Id bundle_id,
                                      const std::vector<db::Id>& patch_ids);
// For each patch, in order: true when it was removed (false: not there).
Result<std::vector<bool>> RemoveFromBundle(db::Connection& c, db::Id bundle_id,
                                           const std::vector<db::Id>& patch_ids);

// Upstream's reorder form: the patches of `new_order` get consecutive
// positions starting at the current position of `order_start`. kNotFound
// (nothing changed) when any of them is not in the bundle.
Status ReorderBundle(db::Connection& c, db::Id bundle_id, db::Id order_start,
                     const std::vector<db::Id>& new_order);

}  // namespace pb::service
