// Changes to existing patches: the writes behind service/patch_updates,
// service/relations, tag counting and `patchbay rehash`, and the lookups
// those writers make inside their transaction. Inserting a new patch is
// mail ingestion's (db/mail_store.h). Every function runs inside the
// caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// The fields a maintainer may change (REST, XML-RPC, web forms). Unset
// members are left alone; each set member costs one UPDATE.
struct PatchChanges {
  std::optional<Id> state_id;
  std::optional<std::optional<Id>> delegate_id;  // set to nullopt-inside = clear
  std::optional<bool> archived;
  std::optional<std::optional<std::string>> commit_ref;
  std::optional<std::optional<std::string>> pull_url;
};

// What a change is compared against, read before it is applied.
struct PatchStateBefore {
  Id project_id = 0;
  Id state_id = 0;
  std::optional<Id> delegate_id;
  bool project_sends_notifications = false;
};
std::optional<PatchStateBefore> FindPatchStateBefore(Connection& c, Id patch_id);
void UpdatePatchFields(Connection& c, Id patch_id, const PatchChanges& changes);

// Spec §1.6: remember the state a submitter last saw, for the cron digest.
// The first change records `old_state`; a change back to it removes the
// row; any other change only refreshes its time.
void RecordPatchChangeNotification(Connection& c, Id patch_id, Id old_state, Id new_state, Micros now);

// Relations (spec §3.8.5 "related").
struct PatchRelationRow {
  Id id = 0;
  Id project_id = 0;
  std::optional<Id> related_id;
};
std::optional<PatchRelationRow> FindPatchRelation(Connection& c, Id patch_id);
std::vector<PatchRelationRow> PatchesInRelation(Connection& c, Id relation_id);  // by id
Id InsertPatchRelation(Connection& c);
void SetPatchRelation(Connection& c, Id patch_id, std::optional<Id> relation_id);
// Unlinks every member, then deletes the relation.
void DeletePatchRelation(Connection& c, Id relation_id);

// One row per tag with a non-zero count, for a patch that has none yet.
void InsertPatchTagCount(Connection& c, Id patch_id, Id tag_id, int count);

// `patchbay retag` and `rehash`: every patch id, and every patch with a diff.
std::vector<Id> AllPatchIds(Connection& c);
std::vector<std::pair<Id, std::string>> AllPatchDiffs(Connection& c);
void SetPatchHash(Connection& c, Id patch_id, std::string_view hash);

}  // namespace pb::db
