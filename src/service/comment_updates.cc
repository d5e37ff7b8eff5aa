#include "service/comment_updates.h"

#include "db/comments.h"
#include "db/mail_store.h"
#include "service/db_failure.h"

namespace pb::service {

Status SetCommentAddressed(db::Connection& c, CommentKind kind, db::Id comment_id,
                           std::optional<std::optional<bool>> addressed) {
  try {
    db::Transaction tx(c);
    db::Event e;
    if (kind == CommentKind::kPatch) {
      auto parent = db::FindPatchCommentParent(c, comment_id);
      if (!parent) return Status::NotFound("no comment " + std::to_string(comment_id));
      e.patch_id = parent->parent_id;
      e.project_id = parent->project_id;
      e.category = "patch-comment-created";
      e.patch_comment_id = comment_id;
    } else {
      auto parent = db::FindCoverCommentParent(c, comment_id);
      if (!parent) return Status::NotFound("no comment " + std::to_string(comment_id));
      e.cover_id = parent->parent_id;
      e.project_id = parent->project_id;
      e.category = "cover-comment-created";
      e.cover_comment_id = comment_id;
    }
    if (!addressed) {
      // nothing to change
    } else if (kind == CommentKind::kPatch) {
      db::SetPatchCommentAddressed(c, comment_id, *addressed);
    } else {
      db::SetCoverCommentAddressed(c, comment_id, *addressed);
    }
    db::InsertEvent(c, e);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
