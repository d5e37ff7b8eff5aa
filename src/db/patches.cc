#include "db/patches.h"

namespace pb::db {

std::optional<PatchStateBefore> FindPatchStateBefore(Connection& c, Id patch_id) {
  Query q(c,
          "SELECT p.project_id, p.state_id, p.delegate_id, pr.send_notifications "
          "FROM patches p JOIN projects pr ON pr.id = p.project_id WHERE p.id = ?1",
          patch_id);
  if (!q.Next()) return std::nullopt;
  return PatchStateBefore{q.Int(0), q.Int(1), q.OptInt(2), q.Int(3) != 0};
}

void UpdatePatchFields(Connection& c, Id patch_id, const PatchChanges& ch) {
  if (ch.state_id) Query(c, "UPDATE patches SET state_id = ?1 WHERE id = ?2", *ch.state_id, patch_id).Run();
  if (ch.delegate_id) {
    Query(c, "UPDATE patches SET delegate_id = ?1 WHERE id = ?2", *ch.delegate_id, patch_id).Run();
  }
  if (ch.archived) Query(c, "UPDATE patches SET archived = ?1 WHERE id = ?2", *ch.archived, patch_id).Run();
  if (ch.commit_ref) {
    Query(c, "UPDATE patches SET commit_ref = ?1 WHERE id = ?2", *ch.commit_ref, patch_id).Run();
  }
  if (ch.pull_url) Query(c, "UPDATE patches SET pull_url = ?1 WHERE id = ?2", *ch.pull_url, patch_id).Run();
}

void RecordPatchChangeNotification(Connection& c, Id patch_id, Id old_state, Id new_state, Micros now) {
  auto orig = QueryInt(c, "SELECT orig_state_id FROM patch_change_notifications WHERE patch_id = ?1",
                       patch_id);
  if (!orig) {
    Query(c,
          "INSERT INTO patch_change_notifications (patch_id, last_modified, orig_state_id) "
          "VALUES (?1, ?2, ?3)",
          patch_id, now, old_state)
        .Run();
  } else if (*orig == new_state) {
    Query(c, "DELETE FROM patch_change_notifications WHERE patch_id = ?1", patch_id).Run();
  } else {
    Query(c, "UPDATE patch_change_notifications SET last_modified = ?1 WHERE patch_id = ?2", now, patch_id)
        .Run();
  }
}

std::optional<PatchRelationRow> FindPatchRelation(Connection& c, Id patch_id) {
  Query q(c, "SELECT id, project_id, related_id FROM patches WHERE id = ?1", patch_id);
  if (!q.Next()) return std::nullopt;
  return PatchRelationRow{q.Int(0), q.Int(1), q.OptInt(2)};
}

std::vector<PatchRelationRow> PatchesInRelation(Connection& c, Id relation_id) {
  std::vector<PatchRelationRow> out;
  Query q(c, "SELECT id, project_id, related_id FROM patches WHERE related_id = ?1 ORDER BY id",
          relation_id);
  while (q.Next()) out.push_back({q.Int(0), q.Int(1), q.OptInt(2)});
  return out;
}

Id InsertPatchRelation(Connection& c) {
  return *QueryInt(c, "INSERT INTO patch_relations DEFAULT VALUES RETURNING id");
}

void SetPatchRelation(Connection& c, Id patch_id, std::optional<Id> relation_id) {
  Query(c, "UPDATE patches SET related_id = ?1 WHERE id = ?2", relation_id, patch_id).Run();
}

void DeletePatchRelation(Connection& c, Id relation_id) {
  Query(c, "UPDATE patches SET related_id = NULL WHERE related_id = ?1", relation_id).Run();
  Query(c, "DELETE FROM patch_relations WHERE id = ?1", relation_id).Run();
}

void InsertPatchTagCount(Connection& c, Id patch_id, Id tag_id, int count) {
  Query(c, "INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (?1, ?2, ?3)", patch_id, tag_id, count)
      .Send();
}

std::vector<Id> AllPatchIds(Connection& c) {
  std::vector<Id> ids;
  Query q(c, "SELECT id FROM patches ORDER BY id");
  while (q.Next()) ids.push_back(q.Int(0));
  return ids;
}

std::vector<std::pair<Id, std::string>> AllPatchDiffs(Connection& c) {
  std::vector<std::pair<Id, std::string>> out;
  Query q(c, "SELECT id, diff FROM patches WHERE diff IS NOT NULL ORDER BY id");
  while (q.Next()) out.emplace_back(q.Int(0), q.Str(1));
  return out;
}

void SetPatchHash(Connection& c, Id patch_id, std::string_view hash) {
  Query(c, "UPDATE patches SET hash = ?1 WHERE id = ?2", hash, patch_id).Run();
}

}  // namespace pb::db
