#include "db/comment_homes.h"

#include <algorithm>

#include "db/array_literal.h"
#include "db/mail_store.h"

namespace pb::db {

std::optional<StoredComment> FindCommentByMsgid(Connection& c, Id project_id, std::string_view msgid) {
  // The parent's project by a scalar subquery, not a join, here and in
  // CommentExists, as in ReferenceLookup (below): the generic plans made
  // while a project's tables were small hashed or materialised every patch
  // and cover of the project for each look-up (docs/performance.md §9v).
  Query q(c,
          "SELECT 1, pc.id, pc.patch_id, pc.headers FROM patch_comments pc WHERE pc.msgid = ?1 "
          "AND (SELECT p.project_id FROM patches p WHERE p.id = pc.patch_id) = ?2 "
          "UNION ALL "
          "SELECT 0, cc.id, cc.cover_id, cc.headers FROM cover_comments cc WHERE cc.msgid = ?1 "
          "AND (SELECT v.project_id FROM covers v WHERE v.id = cc.cover_id) = ?2 "
          "ORDER BY 1 DESC, 2 LIMIT 1",
          msgid, project_id);
  if (!q.Next()) return std::nullopt;
  return StoredComment{q.Int(0) == 1, q.Int(1), q.Int(2), std::string(msgid), q.Str(3)};
}

bool CommentExists(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c,
                  "SELECT 1 FROM patch_comments pc WHERE pc.msgid = ?1 "
                  "AND (SELECT p.project_id FROM patches p WHERE p.id = pc.patch_id) = ?2 "
                  "UNION ALL "
                  "SELECT 1 FROM cover_comments cc WHERE cc.msgid = ?1 "
                  "AND (SELECT v.project_id FROM covers v WHERE v.id = cc.cover_id) = ?2 LIMIT 1",
                  msgid, project_id)
      .has_value();
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
  // Its events go with it: ON DELETE CASCADE, on PostgreSQL a trigger of
  // cover_comments (migration 18).
  Query(c, "DELETE FROM cover_comments WHERE id = ?1", cover_comment_id).Run();
  return *id;
}

void AwaitRefs(Connection& c, Id project_id, std::string_view comment_msgid,
               const std::vector<std::string>& refs) {
  if (c.dialect() == Dialect::kPostgres && refs.size() > 1) {
    // One statement for all of them: each statement's start and end cost
    // the server more than its row. A reference named twice is inserted
    // once (DO NOTHING).
    Query(c,
          "INSERT INTO comment_refs (project_id, msgid, comment_msgid) "
          "SELECT ?1, u.m, ?3 FROM unnest(?2::text[]) AS u (m) ON CONFLICT DO NOTHING",
          project_id, TextArray(refs), comment_msgid)
        .Send();
    return;
  }
  for (const auto& ref : refs) {
    Query(c,
          "INSERT INTO comment_refs (project_id, msgid, comment_msgid) VALUES (?1, ?2, ?3) "
          "ON CONFLICT DO NOTHING",
          project_id, ref, comment_msgid)
        .Send();
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
  Query(c, "DELETE FROM comment_refs WHERE project_id = ?1 AND msgid = ?2", project_id, msgid).Send();
}

ReferenceLookup::ReferenceLookup(Connection& c, Id project_id, const std::vector<std::string>& all_refs,
                                 const KnownMsgids* known)
    : c_(c), project_id_(project_id), known_(known),
      prefetched_(c.dialect() == Dialect::kPostgres && !all_refs.empty()) {
  if (!prefetched_) return;
  // Each side is asked only for the references the batch's known ids say
  // may be on it: a reply's references are mostly patches and comments on
  // them, and the cover side's two branches (on a young project's small
  // tables, a scan of covers and cover_comments each) were a third of the
  // statement's work (docs/performance.md §9o).
  std::vector<std::string> refs;  // those that may be stored
  bool patch_side = false, cover_side = false;
  for (const auto& r : all_refs) {
    bool p = !known_ || known_->MaybePatchSide(r), v = !known_ || known_->MaybeCoverSide(r);
    if (p || v) refs.push_back(r);
    patch_side = patch_side || p;
    cover_side = cover_side || v;
  }
  if (refs.empty()) return;
  std::string list = IdListPlaceholders(refs.size(), 2);
  std::string sql;
  if (patch_side) {
    sql = "SELECT 0, msgid, id, 0::bigint, 0::bigint FROM patches WHERE project_id + 0 = ?1 AND msgid IN (" + list +
          ") UNION ALL SELECT 1, pc.msgid, pc.patch_id, pc.date, pc.id FROM patch_comments pc "
          "WHERE pc.msgid IN (" + list + ") AND "
          "(SELECT p.project_id FROM patches p WHERE p.id = pc.patch_id) = ?1";
  }
  if (cover_side) {
    sql += std::string(patch_side ? " UNION ALL " : "") +
           "SELECT 2, msgid, id, 0::bigint, 0::bigint FROM covers WHERE project_id + 0 = ?1 AND msgid IN (" + list +
           ") UNION ALL SELECT 3, cc.msgid, cc.cover_id, 0::bigint, 0::bigint FROM cover_comments cc "
           "WHERE cc.msgid IN (" + list + ") AND "
           "(SELECT v.project_id FROM covers v WHERE v.id = cc.cover_id) = ?1";
  }
  // `project_id + 0`: no index leads with it, so the patches and covers
  // are found by their message-id index too; with `project_id = ?1` the
  // generic plans made while a project had a few patches read every patch
  // (and cover) of the project by its project index for each reply, and
  // kept doing so until the next ANALYZE (docs/performance.md §9v).
  // The parent's project by a scalar subquery, not a join: for the join,
  // the generic plans made after the ANALYZEs of a young project's small
  // tables scanned patch_comments whole (or probed it per patch), testing
  // every row against the IN list's array, which PostgreSQL builds again
  // for each row, and such plans stayed until the next ANALYZE (33,000
  // arrays and 9,700 bitmap scans per 1,000 mails: 18 % of the ingest
  // backend's instructions). Without the join the comments are found by
  // their message-id index and each one's parent by its primary key,
  // however small the tables were when planned (docs/performance.md §9r).
  // No ORDER BY: the newest comment of a message id is picked below, as
  // PatchIdOfCommentMsgid does, and the rest is at most one row per id;
  // the sort was a node to set up and run at every reply.
  Query q(c, sql, project_id);
  size_t n = IdListSize(refs.size());
  for (size_t i = 0; i < n; ++i) q.Bind(2 + static_cast<int>(i), refs[std::min(i, refs.size() - 1)]);
  auto slot = [&](std::string_view msgid) -> Found& {
    for (auto& [m, f] : found_) {
      if (m == msgid) return f;
    }
    return found_.emplace_back(std::string(msgid), Found{}).second;
  };
  while (q.Next()) {
    Found& f = slot(q.Text(1));
    Id id = q.Int(2);
    switch (q.Int(0)) {
      case 0: if (!f.patch) f.patch = id; break;
      case 1: {  // the newest, by (date, id)
        std::pair<int64_t, int64_t> key{q.Int(3), q.Int(4)};
        if (!f.patch_of_comment || key > f.newest_comment) {
          f.patch_of_comment = id;
          f.newest_comment = key;
        }
        break;
      }
      case 2: if (!f.cover) f.cover = id; break;
      default:
        if (f.cover_of_comment) f.several_cover_comments = true;
        else f.cover_of_comment = id;
    }
  }
}

bool ReferenceLookup::Absent(const std::string& ref, bool cover_side) const {
  return known_ && !(cover_side ? known_->MaybeCoverSide(ref) : known_->MaybePatchSide(ref));
}

const ReferenceLookup::Found* ReferenceLookup::Prefetched(const std::string& ref) const {
  for (const auto& [m, f] : found_) {
    if (m == ref) return &f;
  }
  return nullptr;
}

std::optional<Id> ReferenceLookup::Patch(const std::string& ref) {
  if (Absent(ref, /*cover_side=*/false)) return std::nullopt;
  if (!prefetched_) return PatchIdByMsgid(c_, project_id_, ref);
  auto* f = Prefetched(ref);
  return f ? f->patch : std::nullopt;
}

std::optional<Id> ReferenceLookup::PatchOfComment(const std::string& ref) {
  if (Absent(ref, /*cover_side=*/false)) return std::nullopt;
  if (!prefetched_) return PatchIdOfCommentMsgid(c_, project_id_, ref);
  auto* f = Prefetched(ref);
  return f ? f->patch_of_comment : std::nullopt;
}

std::optional<Id> ReferenceLookup::Cover(const std::string& ref) {
  if (Absent(ref, /*cover_side=*/true)) return std::nullopt;
  if (!prefetched_) return CoverIdByMsgid(c_, project_id_, ref);
  auto* f = Prefetched(ref);
  return f ? f->cover : std::nullopt;
}

std::optional<Id> ReferenceLookup::CoverOfComment(const std::string& ref) {
  if (Absent(ref, /*cover_side=*/true)) return std::nullopt;
  if (!prefetched_) return CoverIdOfCommentMsgid(c_, project_id_, ref);
  auto* f = Prefetched(ref);
  if (f && f->several_cover_comments) {
    throw DbError(DbError::Kind::kGeneric, "several cover comments have message id " + ref);
  }
  return f ? f->cover_of_comment : std::nullopt;
}

}  // namespace pb::db
