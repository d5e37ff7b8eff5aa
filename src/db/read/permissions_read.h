// The reads behind service/permissions: who may change a patch or a
// comment (spec §3.6). One statement each.
#pragma once

#include <optional>

#include "db/connection.h"
#include "db/read/rows.h"

namespace pb::db::read {

bool UserMaintainsProject(Connection& c, Id user_id, Id project_id);
// The patch's submitter (by linked user), its delegate, or a maintainer of
// its project.
bool UserMayEditPatch(Connection& c, Id user_id, Id patch_id);
// The patch a patch comment replies to.
std::optional<Id> PatchOfPatchComment(Connection& c, Id comment_id);
bool UserWrotePatchComment(Connection& c, Id user_id, Id comment_id);
// The comment's author, the cover's author, or a maintainer of the project.
bool UserMayEditCoverComment(Connection& c, Id user_id, Id comment_id);

}  // namespace pb::db::read
