// Edits of one or many patches through the REST API: field changes
// (UpdatePatch's) plus relation changes, all in one transaction, so a bulk
// update either applies every item or none (patchbay extension).
#pragma once

#include <optional>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "service/patch_updates.h"
#include "service/relations.h"

namespace pb::service {

struct PatchEdit {
  db::Id patch_id = 0;
  PatchChanges changes;
  std::optional<std::vector<db::Id>> related;  // set: the request named `related`
};

struct PatchEditsResult {
  Status status;                 // not ok: nothing was changed
  size_t failed_index = 0;       // the edit that failed
  RelationResult relation = RelationResult::kOk;  // why, for relation failures
};

// Upstream's order per patch: the relation is saved first, then the fields
// (state, delegate, ...) with their events.
PatchEditsResult ApplyPatchEdits(db::Connection& c, const std::vector<PatchEdit>& edits,
                                 std::optional<db::Id> actor);

}  // namespace pb::service
