// The lookups behind automatic superseding (service/superseding.h). Run
// inside the caller's transaction.
#pragma once

#include <optional>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// projects.supersede_revisions (migration 9; off by default). Kept out of
// ProjectRow: only ingestion's revision linking and the admin tools read it.
bool ProjectSupersedesRevisions(Connection& c, Id project_id);
void SetProjectSupersedesRevisions(Connection& c, Id project_id, bool on);

// The state with the slug "superseded", if the site still has one.
std::optional<Id> SupersededStateId(Connection& c);

// Patches of every earlier revision of `series_id` (following
// series.previous_id back, any depth) whose state needs action and is not
// `superseded_state`; by id.
std::vector<Id> EarlierRevisionPatchesNeedingAction(Connection& c, Id series_id,
                                                    Id superseded_state);

}  // namespace pb::db
