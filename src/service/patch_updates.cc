#include "service/patch_updates.h"

#include "db/checks.h"
#include "db/mail_store.h"
#include "db/read/patches_read.h"
#include "service/db_failure.h"

namespace pb::service {

Status UpdatePatch(db::Connection& c, db::Id patch_id, const PatchChanges& ch,
                   std::optional<db::Id> actor) {
  try {
    db::Transaction tx(c);
    Status s = ApplyPatchChanges(c, patch_id, ch, actor);
    if (!s.ok()) return s;
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

Status ApplyPatchChanges(db::Connection& c, db::Id patch_id, const PatchChanges& ch,
                         std::optional<db::Id> actor) {
  auto before = db::FindPatchStateBefore(c, patch_id);
  if (!before) return Status::NotFound("no patch " + std::to_string(patch_id));
  db::Id project_id = before->project_id, state_id = before->state_id;
  std::optional<db::Id> delegate_id = before->delegate_id;
  bool notify = before->project_sends_notifications;
  db::UpdatePatchFields(c, patch_id, ch);
  // Events in the order upstream's save hooks raise them (golden events
  // 196/197): state, then delegate.
  if (ch.state_id && *ch.state_id != state_id) {
    db::Event e;
    e.project_id = project_id;
    e.category = "patch-state-changed";
    e.patch_id = patch_id;
    e.actor_id = actor;
    e.previous_state_id = state_id;
    e.current_state_id = *ch.state_id;
    db::InsertEvent(c, e);
    // §1.6: remember the state a submitter last saw, for the cron digest.
    if (notify) db::RecordPatchChangeNotification(c, patch_id, state_id, *ch.state_id, NowMicros());
  }
  if (ch.delegate_id && *ch.delegate_id != delegate_id) {
    db::Event e;
    e.project_id = project_id;
    e.category = "patch-delegated";
    e.patch_id = patch_id;
    e.actor_id = actor;
    e.previous_delegate_id = delegate_id;
    e.current_delegate_id = *ch.delegate_id;
    db::InsertEvent(c, e);
  }
  return Status::Ok();
}

namespace {
constexpr std::string_view kCheckStateNames[] = {"pending", "success", "warning", "fail"};
}  // namespace

std::string_view CheckStateName(int state) {
  return state >= 0 && state < 4 ? kCheckStateNames[state] : kCheckStateNames[0];
}

std::optional<CheckState> ParseCheckState(std::string_view s) {
  for (int i = 0; i < 4; ++i) {
    if (s == kCheckStateNames[i] || s == std::to_string(i)) return static_cast<CheckState>(i);
  }
  return std::nullopt;
}

Result<db::Id> CreateCheck(db::Connection& c, const NewCheck& k) {
  try {
    db::Transaction tx(c);
    auto project = db::read::PatchProjectId(c, k.patch_id);
    if (!project) return Status::NotFound("no patch " + std::to_string(k.patch_id));
    db::Id id = db::InsertCheck(c, {k.patch_id, k.user_id, NowMicros(), static_cast<int>(k.state),
                                    k.target_url, k.description, k.context});
    db::Event e;
    e.project_id = *project;
    e.category = "check-created";
    e.patch_id = k.patch_id;
    e.actor_id = k.user_id;
    e.created_check_id = id;
    db::InsertEvent(c, e);
    db::BumpGeneration(c);
    tx.Commit();
    return id;
  } catch (const db::DbError& e) {
    return DatabaseFailure(e);
  }
}

}  // namespace pb::service
