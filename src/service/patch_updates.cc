#include "service/patch_updates.h"

#include "db/mail_store.h"

namespace pb::service {
namespace {

// §1.6: remember the state a submitter last saw, for the cron digest.
void RecordNotification(db::Connection& c, db::Id patch_id, db::Id old_state, db::Id new_state) {
  auto orig = db::QueryInt(c, "SELECT orig_state_id FROM patch_change_notifications WHERE patch_id = ?1",
                           patch_id);
  if (!orig) {
    db::Query(c,
              "INSERT INTO patch_change_notifications (patch_id, last_modified, orig_state_id) "
              "VALUES (?1, ?2, ?3)",
              patch_id, NowMicros(), old_state)
        .Run();
  } else if (*orig == new_state) {
    db::Query(c, "DELETE FROM patch_change_notifications WHERE patch_id = ?1", patch_id).Run();
  } else {
    db::Query(c, "UPDATE patch_change_notifications SET last_modified = ?1 WHERE patch_id = ?2",
              NowMicros(), patch_id)
        .Run();
  }
}

}  // namespace

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
    return Status::Database(e.what());
  }
}

Status ApplyPatchChanges(db::Connection& c, db::Id patch_id, const PatchChanges& ch,
                         std::optional<db::Id> actor) {
  {
    db::Id project_id, state_id;
    std::optional<db::Id> delegate_id;
    bool notify;
    {
      db::Query q(c,
                  "SELECT p.project_id, p.state_id, p.delegate_id, pr.send_notifications "
                  "FROM patches p JOIN projects pr ON pr.id = p.project_id WHERE p.id = ?1",
                  patch_id);
      if (!q.Next()) return Status::NotFound("no patch " + std::to_string(patch_id));
      project_id = q.Int(0);
      state_id = q.Int(1);
      delegate_id = q.OptInt(2);
      notify = q.Int(3) != 0;
    }
    if (ch.state_id) {
      db::Query(c, "UPDATE patches SET state_id = ?1 WHERE id = ?2", *ch.state_id, patch_id).Run();
    }
    if (ch.delegate_id) {
      db::Query(c, "UPDATE patches SET delegate_id = ?1 WHERE id = ?2", *ch.delegate_id, patch_id).Run();
    }
    if (ch.archived) {
      db::Query(c, "UPDATE patches SET archived = ?1 WHERE id = ?2", *ch.archived, patch_id).Run();
    }
    if (ch.commit_ref) {
      db::Query(c, "UPDATE patches SET commit_ref = ?1 WHERE id = ?2", *ch.commit_ref, patch_id).Run();
    }
    if (ch.pull_url) {
      db::Query(c, "UPDATE patches SET pull_url = ?1 WHERE id = ?2", *ch.pull_url, patch_id).Run();
    }
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
      if (notify) RecordNotification(c, patch_id, state_id, *ch.state_id);
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
    auto project = db::QueryInt(c, "SELECT project_id FROM patches WHERE id = ?1", k.patch_id);
    if (!project) return Status::NotFound("no patch " + std::to_string(k.patch_id));
    db::Id id = *db::QueryInt(c,
                              "INSERT INTO checks (patch_id, user_id, date, state, target_url, "
                              "description, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                              k.patch_id, k.user_id, NowMicros(), static_cast<int>(k.state),
                              k.target_url, k.description, k.context);
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
    return Status::Database(e.what());
  }
}

}  // namespace pb::service
