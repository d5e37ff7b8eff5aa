#include "db/comments.h"

namespace pb::db {
namespace {

std::optional<int64_t> AsInt(std::optional<bool> b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

}  // namespace

std::optional<CommentParent> FindPatchCommentParent(Connection& c, Id comment_id) {
  Query q(c,
          "SELECT pc.patch_id, p.project_id FROM patch_comments pc "
          "JOIN patches p ON p.id = pc.patch_id WHERE pc.id = ?1",
          comment_id);
  if (!q.Next()) return std::nullopt;
  return CommentParent{q.Int(0), q.Int(1)};
}

std::optional<CommentParent> FindCoverCommentParent(Connection& c, Id comment_id) {
  Query q(c,
          "SELECT cc.cover_id, cv.project_id FROM cover_comments cc "
          "JOIN covers cv ON cv.id = cc.cover_id WHERE cc.id = ?1",
          comment_id);
  if (!q.Next()) return std::nullopt;
  return CommentParent{q.Int(0), q.Int(1)};
}

void SetPatchCommentAddressed(Connection& c, Id comment_id, std::optional<bool> addressed) {
  Query(c, "UPDATE patch_comments SET addressed = ?1 WHERE id = ?2", AsInt(addressed), comment_id).Run();
}

void SetCoverCommentAddressed(Connection& c, Id comment_id, std::optional<bool> addressed) {
  Query(c, "UPDATE cover_comments SET addressed = ?1 WHERE id = ?2", AsInt(addressed), comment_id).Run();
}

}  // namespace pb::db
