// Changes to existing patch and cover comments (their `addressed` flag) and
// the lookups service/comment_updates makes inside its transaction. New
// comments come from mail ingestion (db/mail_store.h).
#pragma once

#include <optional>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// The comment's parent (patch or cover) and that parent's project.
struct CommentParent {
  Id parent_id = 0;
  Id project_id = 0;
};
std::optional<CommentParent> FindPatchCommentParent(Connection& c, Id comment_id);
std::optional<CommentParent> FindCoverCommentParent(Connection& c, Id comment_id);

// `addressed`: nullopt = NULL (no action required).
void SetPatchCommentAddressed(Connection& c, Id comment_id, std::optional<bool> addressed);
void SetCoverCommentAddressed(Connection& c, Id comment_id, std::optional<bool> addressed);

}  // namespace pb::db
