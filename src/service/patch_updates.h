// Changing a patch (state, delegate, archived, commit ref, pull URL) and
// adding CI checks: the writes behind the REST API, XML-RPC and the web UI.
// Each call is one transaction and raises the events upstream raises
// (spec §1.5) and the notification rows (§1.6). Permission checks are the
// caller's (service/permissions.h): they differ per protocol.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "db/connection.h"
#include "db/patches.h"
#include "db/records.h"

namespace pb::service {

// state_id, delegate_id (set to nullopt-inside = clear), archived,
// commit_ref, pull_url; unset members are left alone.
using PatchChanges = db::PatchChanges;

// kNotFound for an unknown patch.
Status UpdatePatch(db::Connection& c, db::Id patch_id, const PatchChanges& changes,
                   std::optional<db::Id> actor);
// The same inside the caller's transaction (no generation bump): for
// callers that change several things atomically (REST bulk updates).
Status ApplyPatchChanges(db::Connection& c, db::Id patch_id, const PatchChanges& changes,
                         std::optional<db::Id> actor);

enum class CheckState { kPending = 0, kSuccess = 1, kWarning = 2, kFail = 3 };
// Check.STATE_CHOICES labels: "pending", "success", "warning", "fail"
// (out-of-range codes read as "pending").
std::string_view CheckStateName(int state);
// A label or its numeric code ("0".."3").
std::optional<CheckState> ParseCheckState(std::string_view label_or_code);

struct NewCheck {
  db::Id patch_id = 0;
  db::Id user_id = 0;
  CheckState state = CheckState::kPending;
  std::optional<std::string> target_url;
  std::optional<std::string> description;
  std::string context = "default";
};

// Returns the new check's id.
Result<db::Id> CreateCheck(db::Connection& c, const NewCheck& check);

}  // namespace pb::service
