// Who may change what (shared spec §1.4). Anonymous callers pass nullopt.
#pragma once

#include <optional>

#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

bool IsProjectMaintainer(db::Connection& c, std::optional<db::Id> user, db::Id project_id);
// The patch's submitter (through people.user_id), its delegate, or a
// maintainer of its project. False for an unknown patch.
bool CanEditPatch(db::Connection& c, std::optional<db::Id> user, db::Id patch_id);
// PatchComment.is_editable: the comment's submitter's user, or whoever may
// edit the patch.
bool CanEditPatchComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id);
// CoverComment.is_editable: the comment's or the cover's submitter's user,
// or a maintainer of the cover's project.
bool CanEditCoverComment(db::Connection& c, std::optional<db::Id> user, db::Id comment_id);

}  // namespace pb::service
