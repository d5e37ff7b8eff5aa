// Changing a comment's `addressed` flag (REST API >= 1.3). Like upstream's
// save hook, every save raises a fresh *-comment-created event (spec §1.5).
#pragma once

#include <optional>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

enum class CommentKind { kPatch, kCover };

// `addressed`: unset = unchanged (the save and its event still happen);
// set to nullopt = NULL (no action required).
Status SetCommentAddressed(db::Connection& c, CommentKind kind, db::Id comment_id,
                           std::optional<std::optional<bool>> addressed);

}  // namespace pb::service
