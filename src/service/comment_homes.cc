#include "service/comment_homes.h"

#include <algorithm>
#include <set>

#include "db/comment_homes.h"
#include "db/mail_store.h"
#include "parser/parsed_mail.h"
#include "service/ingest.h"

namespace pb::service {
namespace {

using db::Id;

// A chain of moves longer than this is a reference loop, not a thread.
constexpr int kMaxMoves = 10000;

}  // namespace

std::optional<CommentHome> FindCommentHome(db::Connection& c, Id project_id,
                                           const std::vector<std::string>& refs,
                                           const db::KnownMsgids* known) {
  std::optional<CommentHome> home;
  size_t decisive = refs.size();
  db::ReferenceLookup stored(c, project_id, refs, known);
  for (size_t i = 0; i < refs.size() && !home; ++i) {
    auto pid = stored.Patch(refs[i]);
    if (!pid) pid = stored.PatchOfComment(refs[i]);
    if (pid) {
      home = CommentHome{true, *pid, {}};
      decisive = i;
    }
  }
  for (size_t i = 0; i < refs.size() && !home; ++i) {
    auto vid = stored.Cover(refs[i]);
    if (!vid) vid = stored.CoverOfComment(refs[i]);
    if (vid) {
      home = CommentHome{false, *vid, {}};
      decisive = i;
    }
  }
  if (!home) return std::nullopt;
  // A patch found at position d can be beaten only by a reference before d
  // that becomes a patch or a comment on one; a cover letter by any
  // reference that does. Patches and cover letters themselves never change.
  size_t watch_to = home->on_patch ? decisive : refs.size();
  for (size_t i = 0; i < watch_to; ++i) {
    if (!home->on_patch && i == decisive) continue;
    if (stored.Cover(refs[i])) continue;
    home->awaited.push_back(refs[i]);
  }
  return home;
}

std::vector<Id> RehomeCommentsAwaiting(db::Connection& c, Id project_id, const std::string& msgid,
                                       std::vector<std::string> awaiting, db::KnownMsgids* known,
                                       const RehomeHooks& hooks) {
  std::vector<Id> changed;
  std::vector<std::string> queue = std::move(awaiting);
  if (queue.empty()) return changed;
  // A patch or cover letter is stored for good: nothing awaits it after this.
  // A comment may still move, so its watchers stay.
  if (db::PatchOrCoverExists(c, project_id, msgid)) {
    db::ForgetAwaited(c, project_id, msgid);
  }
  auto recount = [&](Id patch_id) {
    if (hooks.recount_tags) {
      hooks.recount_tags(patch_id);
    } else {
      RecountTags(c, patch_id);
    }
  };
  int moves = 0;
  while (!queue.empty() && moves < kMaxMoves) {
    std::string k = std::move(queue.back());
    queue.pop_back();
    auto comment = db::FindCommentByMsgid(c, project_id, k);
    if (!comment) continue;
    auto refs = parser::ReferencesInHeaders(comment->headers);
    std::erase(refs, k);
    auto home = FindCommentHome(c, project_id, refs, known);
    if (!home || (home->on_patch == comment->on_patch && home->id == comment->parent_id)) continue;
    if (moves == 0 && hooks.before_moving) hooks.before_moving();
    ++moves;
    if (comment->on_patch) {
      // A patch is never beaten by a cover letter: only another patch.
      db::MovePatchComment(c, comment->id, home->id);
      recount(comment->parent_id);
      recount(home->id);
      changed.push_back(comment->parent_id);
      changed.push_back(home->id);
    } else if (home->on_patch) {
      Id id = db::CoverCommentToPatchComment(c, comment->id, home->id);
      // Its message id is a patch comment's now: the batch's look-ups
      // must find it there (db::ReferenceLookup asks by side).
      if (known) known->NotePatchSide(k);
      db::Event e;
      e.project_id = project_id;
      e.category = "patch-comment-created";
      e.patch_id = home->id;
      e.patch_comment_id = id;
      db::InsertEvent(c, e);
      recount(home->id);
      changed.push_back(home->id);
    } else {
      db::MoveCoverComment(c, comment->id, home->id);
    }
    db::AwaitRefs(c, project_id, k, home->awaited);
    if (known) {
      for (const auto& ref : home->awaited) known->NoteAwaited(ref);
    }
    // Replies that found their home through this comment follow it.
    for (const auto& other : db::CommentsOf(c, comment->on_patch, comment->parent_id)) {
      auto other_refs = parser::ReferencesInHeaders(other.headers);
      if (std::find(other_refs.begin(), other_refs.end(), k) != other_refs.end()) {
        queue.push_back(other.msgid);
      }
    }
    for (auto& w : db::CommentsAwaiting(c, project_id, k)) queue.push_back(std::move(w));
  }
  return changed;
}

}  // namespace pb::service
