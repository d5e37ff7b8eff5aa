#include "service/relations.h"

#include <algorithm>
#include <set>

#include "db/mail_store.h"
#include "db/patches.h"
#include "db/projects.h"

namespace pb::service {
namespace {

using PatchRow = db::PatchRelationRow;

void RelationEvent(db::Connection& c, const PatchRow& p, std::optional<db::Id> actor) {
  db::Event e;
  e.project_id = p.project_id;
  e.category = "patch-relation-changed";
  e.patch_id = p.id;
  e.actor_id = actor;
  db::InsertEvent(c, e);
}

}  // namespace

RelationResult SetRelatedInTx(db::Connection& c, db::Id patch_id, const std::vector<db::Id>& related,
                              std::optional<db::Id> actor) {
  auto self = db::FindPatchRelation(c, patch_id);
  if (!self) return RelationResult::kNotFound;
  std::set<db::Id> maintained;
  if (actor) maintained = db::MaintainedProjectIds(c, *actor);
  // P = listed patches + the current relation's members (by id, as upstream
  // iterates a set of model instances).
  std::vector<PatchRow> involved;
  std::set<db::Id> seen;
  for (db::Id id : related) {
    if (!seen.insert(id).second) continue;
    auto p = db::FindPatchRelation(c, id);
    if (!p) return RelationResult::kNotFound;
    involved.push_back(*p);
  }
  if (self->related_id) {
    for (const auto& m : db::PatchesInRelation(c, *self->related_id)) {
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
    auto members = db::PatchesInRelation(c, *self->related_id);
    if (members.size() == 2) {
      // The relation is deleted (SET NULL on both patches): upstream's save
      // then sees no change, so no event is raised.
      db::DeletePatchRelation(c, *self->related_id);
      return RelationResult::kOk;
    }
    db::SetPatchRelation(c, patch_id, std::nullopt);
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
    relation = db::InsertPatchRelation(c);
  }
  for (const auto& p : involved) {
    if (p.related_id == relation) continue;
    db::SetPatchRelation(c, p.id, relation);
    // A fresh copy of the patch is saved: the event carries no actor, even
    // when the edited patch itself was listed.
    RelationEvent(c, p, std::nullopt);
  }
  auto now = db::FindPatchRelation(c, patch_id);
  if (now && now->related_id != relation) {
    db::SetPatchRelation(c, patch_id, relation);
    RelationEvent(c, *self, actor);
  }
  return RelationResult::kOk;
}

}  // namespace pb::service
