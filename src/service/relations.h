// Patch relations (spec §3.8.5 "related"): the REST API's additive,
// break-before-make rules, with upstream's permission check (the actor must
// maintain the project of every patch involved) and the
// patch-relation-changed events upstream's save hook raises.
#pragma once

#include <optional>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

enum class RelationResult {
  kOk,
  kNotFound,       // no such patch (listed ids are checked by the caller)
  kNotMaintainer,  // 403 "At least one patch is part of a project you are not maintaining."
  kConflict,       // 409 PatchConflict
};

// Inside the caller's transaction. `related` empty: remove the patch from
// its relation (deleting a relation of two). Otherwise merge the listed
// patches, the patch's current relation and the patch into one relation.
RelationResult SetRelatedInTx(db::Connection& c, db::Id patch_id, const std::vector<db::Id>& related,
                              std::optional<db::Id> actor);

}  // namespace pb::service
