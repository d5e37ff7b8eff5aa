#include "service/relations.h"

#include <algorithm>
#include <set>

#include "db/mail_store.h"

namespace pb::service {
namespace {

struct PatchRow {
  db::Id id = 0;
  db::Id project_id = 0;
  std::optional<db::Id> related_id;
};

std::optional<PatchRow> LoadPatch(db::Connection& c, db::Id id) {
  db::Query q(c, "SELECT id, project_id, related_id FROM patches WHERE id = ?1", id);
  if (!q.Next()) return std::nullopt;
  return PatchRow{q.Int(0), q.Int(1), q.OptInt(2)};
}

std::vector<PatchRow> Members(db::Connection& c, db::Id relation) {
  std::vector<PatchRow> out;
  db::Query q(c, "SELECT id, project_id, related_id FROM patches WHERE related_id = ?1 ORDER BY id",
              relation);
  while (q.Next()) out.push_back({q.Int(0), q.Int(1), q.OptInt(2)});
  return out;
}

void RelationEvent(db::Connection& c, const PatchRow& p, std::optional<db::Id> actor) {
  db::Event e;
  e.project_id = p.project_id;
  e.category = "patch-relation-changed";
  e.patch_id = p.id;
  e.actor_id = actor;
  db::InsertEvent(c, e);
}

void SetRelation(db::Connection& c, db::Id patch, std::optional<db::Id> relation) {
  db::Query(c, "UPDATE patches SET related_id = ?1 WHERE id = ?2", relation, patch).Run();
}

}  // namespace

RelationResult SetRelatedInTx(db::Connection& c, db::Id patch_id, const std::vector<db::Id>& related,
                              std::optional<db::Id> actor) {
  auto self = LoadPatch(c, patch_id);
  if (!self) return RelationResult::kNotFound;
  std::set<db::Id> maintained;
  if (actor) {
    db::Query q(c, "SELECT project_id FROM project_maintainers WHERE user_id = ?1", *actor);
    while (q.Next()) maintained.insert(q.Int(0));
  }
  // P = listed patches + the current relation's members (by id, as upstream
  // iterates a set of model instances).
  std::vector<PatchRow> involved;
  std::set<db::Id> seen;
  for (db::Id id : related) {
    if (!seen.insert(id).second) continue;
    auto p = LoadPatch(c, id);
    if (!p) return RelationResult::kNotFound;
    involved.push_back(*p);
  }
  if (self->related_id) {
    for (const auto& m : Members(c, *self->related_id)) {
      if (seen.insert(m.id).second) involved.push_back(m);
    }
  }
  std::sort(involved.begin(), involved.end(), [](const PatchRow& a, const PatchRow& b) { return a.id < b.id; });
  if (!maintained.count(self->project_id)) return RelationResult::kNotMaintainer;
  for (const auto& p : involved) {
    if (!maintained.count(p.project_id)) return RelationResult::kNotMaintainer;
  }

  if (related.empty()) {
    if (!self->related_id) return RelationResult::kOk;
    auto members = Members(c, *self->related_id);
    if (members.size() == 2) {
      // The relation is deleted (SET NULL on both patches): upstream's save
      // then sees no change, so no event is raised.
      db::Query(c, "UPDATE patches SET related_id = NULL WHERE related_id = ?1", *self->related_id).Run();
      db::Query(c, "DELETE FROM patch_relations WHERE id = ?1", *self->related_id).Run();
      return RelationResult::kOk;
    }
    SetRelation(c, patch_id, std::nullopt);
    RelationEvent(c, *self, actor);
    return RelationResult::kOk;
  }

  // Break before make.
  std::set<db::Id> relations;
  for (const auto& p : involved) {
    if (p.related_id) relations.insert(*p.related_id);
  }
  if (relations.size() > 1) return RelationResult::kConflict;
  std::optional<db::Id> relation;
  if (!relations.empty()) relation = *relations.begin();
  if (relation && self->related_id && *self->related_id != *relation) return RelationResult::kConflict;
  if (!relation) {
    relation = db::QueryInt(c, "INSERT INTO patch_relations DEFAULT VALUES RETURNING id");
  }
  for (const auto& p : involved) {
    if (p.related_id == relation) continue;
    SetRelation(c, p.id, relation);
    // A fresh copy of the patch is saved: the event carries no actor, even
    // when the edited patch itself was listed.
    RelationEvent(c, p, std::nullopt);
  }
  auto now = LoadPatch(c, patch_id);
  if (now && now->related_id != relation) {
    SetRelation(c, patch_id, relation);
    RelationEvent(c, *self, actor);
  }
  return RelationResult::kOk;
}

}  // namespace pb::service
