// Upstream's Patch.is_editable over rows already read (no statement per
// patch), and the web list's bulk update: many patches, one transaction.
#pragma once

#include <optional>
#include <vector>

#include "core/status.h"
#include "db/connection.h"
#include "db/read/rows.h"
#include "db/read/web_read.h"
#include "service/patch_updates.h"

namespace pb::service {

// The patch's submitter's user, its delegate, or a maintainer of its
// project (a superuser is not special here, as upstream). The same rule as
// CanEditPatch in permissions.h, for rows read in a batch.
bool PatchEditable(const db::read::PatchOwnerRec& patch, std::optional<db::Id> user,
                   const db::read::ProjectRec* project);

// Applies `changes` to every patch in one transaction (events as
// UpdatePatch raises them, one generation bump).
Status UpdatePatches(db::Connection& c, const std::vector<db::Id>& patch_ids,
                     const PatchChanges& changes, std::optional<db::Id> actor);

}  // namespace pb::service
