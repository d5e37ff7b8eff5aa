#include "db/comment_homes.h"

namespace pb::db {

std::optional<StoredComment> FindCommentByMsgid(Connection& c, Id project_id, std::string_view msgid) {
  Query q(c,
          "SELECT 1, pc.id, pc.patch_id, pc.headers FROM patch_comments pc "
          "JOIN patches p ON p.id = pc.patch_id WHERE pc.msgid = ?1 AND p.project_id = ?2 "
          "UNION ALL "
          "SELECT 0, cc.id, cc.cover_id, cc.headers FROM cover_comments cc "
          "JOIN covers v ON v.id = cc.cover_id WHERE cc.msgid = ?1 AND v.project_id = ?2 "
          "ORDER BY 1 DESC, 2 LIMIT 1",
          msgid, project_id);
  if (!q.Next()) return std::nullopt;
  return StoredComment{q.Int(0) == 1, q.Int(1), q.Int(2), std::string(msgid), q.Str(3)};
}

std::vector<StoredComment> CommentsOf(Connection& c, bool on_patch, Id parent_id) {
  Query q(c,
          on_patch ? "SELECT id, msgid, headers FROM patch_comments WHERE patch_id = ?1 ORDER BY id"
                   : "SELECT id, msgid, headers FROM cover_comments WHERE cover_id = ?1 ORDER BY id",
          parent_id);
  std::vector<StoredComment> out;
  while (q.Next()) out.push_back({on_patch, q.Int(0), parent_id, q.Str(1), q.Str(2)});
  return out;
}

void MovePatchComment(Connection& c, Id comment_id, Id patch_id) {
  Query(c, "UPDATE patch_comments SET patch_id = ?2 WHERE id = ?1", comment_id, patch_id).Run();
  Query(c, "UPDATE events SET patch_id = ?2 WHERE patch_comment_id = ?1", comment_id, patch_id).Run();
}

void MoveCoverComment(Connection& c, Id comment_id, Id cover_id) {
  Query(c, "UPDATE cover_comments SET cover_id = ?2 WHERE id = ?1", comment_id, cover_id).Run();
  Query(c, "UPDATE events SET cover_id = ?2 WHERE cover_comment_id = ?1", comment_id, cover_id).Run();
}

Id CoverCommentToPatchComment(Connection& c, Id cover_comment_id, Id patch_id) {
  auto id = QueryInt(c,
                     "INSERT INTO patch_comments (patch_id, msgid, date, submitter_id, addressed, "
                     "headers, content) SELECT ?2, msgid, date, submitter_id, addressed, headers, "
                     "content FROM cover_comments WHERE id = ?1 RETURNING id",
                     cover_comment_id, patch_id);
  if (!id) throw DbError(DbError::Kind::kGeneric, "cover comment to move is gone");
  // Its events go by ON DELETE CASCADE.
  Query(c, "DELETE FROM cover_comments WHERE id = ?1", cover_comment_id).Run();
  return *id;
}

void AwaitRefs(Connection& c, Id project_id, std::string_view comment_msgid,
               const std::vector<std::string>& refs) {
  for (const auto& ref : refs) {
    Query(c,
          "INSERT INTO comment_refs (project_id, msgid, comment_msgid) VALUES (?1, ?2, ?3) "
          "ON CONFLICT DO NOTHING",
          project_id, ref, comment_msgid)
        .Run();
  }
}

std::vector<std::string> CommentsAwaiting(Connection& c, Id project_id, std::string_view msgid) {
  Query q(c,
          "SELECT comment_msgid FROM comment_refs WHERE project_id = ?1 AND msgid = ?2 "
          "ORDER BY comment_msgid",
          project_id, msgid);
  std::vector<std::string> out;
  while (q.Next()) out.push_back(q.Str(0));
  return out;
}

void ForgetAwaited(Connection& c, Id project_id, std::string_view msgid) {
  Query(c, "DELETE FROM comment_refs WHERE project_id = ?1 AND msgid = ?2", project_id, msgid).Run();
}

}  // namespace pb::db
