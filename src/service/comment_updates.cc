#include "service/comment_updates.h"

#include "db/mail_store.h"

namespace pb::service {

Status SetCommentAddressed(db::Connection& c, CommentKind kind, db::Id comment_id,
                           std::optional<std::optional<bool>> addressed) {
  try {
    db::Transaction tx(c);
    std::optional<int64_t> value;
    if (addressed && *addressed) value = **addressed ? 1 : 0;
    db::Event e;
    if (kind == CommentKind::kPatch) {
      db::Query q(c,
                  "SELECT pc.patch_id, p.project_id FROM patch_comments pc "
                  "JOIN patches p ON p.id = pc.patch_id WHERE pc.id = ?1",
                  comment_id);
      if (!q.Next()) return Status::NotFound("no comment " + std::to_string(comment_id));
      e.patch_id = q.Int(0);
      e.project_id = q.Int(1);
      e.category = "patch-comment-created";
      e.patch_comment_id = comment_id;
    } else {
      db::Query q(c,
                  "SELECT cc.cover_id, cv.project_id FROM cover_comments cc "
                  "JOIN covers cv ON cv.id = cc.cover_id WHERE cc.id = ?1",
                  comment_id);
      if (!q.Next()) return Status::NotFound("no comment " + std::to_string(comment_id));
      e.cover_id = q.Int(0);
      e.project_id = q.Int(1);
      e.category = "cover-comment-created";
      e.cover_comment_id = comment_id;
    }
    if (!addressed) {
      // nothing to change
    } else if (kind == CommentKind::kPatch) {
      db::Query(c, "UPDATE patch_comments SET addressed = ?1 WHERE id = ?2", value, comment_id).Run();
    } else {
      db::Query(c, "UPDATE cover_comments SET addressed = ?1 WHERE id = ?2", value, comment_id).Run();
    }
    db::InsertEvent(c, e);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

}  // namespace pb::service
