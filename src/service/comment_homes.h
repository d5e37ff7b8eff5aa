// Which patch or cover letter a reply belongs to, and moving stored replies
// when a mail they reference arrives after them.
//
// Upstream's rule (parser.py find_patch_for_comment, then
// find_cover_for_comment): the first reference, nearest first, that is a
// patch or a comment on one; failing that, the first that is a cover letter
// or a comment on one. Upstream applies it once, on arrival, so the result
// depends on which mails were stored before: a reply naming both a cover
// letter and a patch goes to the cover when the patch comes second. patchbay
// remembers the references that could still change the answer (comment_refs)
// and applies the rule again when one of them is stored, so every delivery
// order ends where an in-order ingest does.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/mail_store.h"
#include "db/records.h"

namespace pb::service {

struct CommentHome {
  bool on_patch = false;  // a patch, else a cover letter
  db::Id id = 0;
  // References a later arrival of which could change the answer.
  std::vector<std::string> awaited;
};

// nullopt: no reference is stored yet (the reply is held).
// `known`: an archive batch's db::KnownMsgids, or none.
std::optional<CommentHome> FindCommentHome(db::Connection& c, db::Id project_id,
                                           const std::vector<std::string>& refs,
                                           const db::KnownMsgids* known = nullptr);

// What an archive batch does differently when comments move (the defaults
// suit a single mail).
struct RehomeHooks {
  // Runs once, before the first move: a move changes and writes events, so
  // a batch writes the events it keeps waiting then, and not at all when
  // nothing moves, which is most calls.
  std::function<void()> before_moving;
  // Recounts the tags of a patch whose replies changed; unset, RecountTags
  // at once (a batch recounts them once, before its commit).
  std::function<void(db::Id)> recount_tags;
};

// After `msgid` was stored (as a patch, cover or comment, or a comment
// moved): moves the comments awaiting it whose home changed (`awaiting`,
// as db::CommentsAwaiting gives them), then those that followed each moved
// comment, inside the caller's transaction.
// `known` (an archive batch's, or none) is told of the references it
// records as awaited. Returns the patches whose replies changed (their tags
// recounted through `hooks`).
std::vector<db::Id> RehomeCommentsAwaiting(db::Connection& c, db::Id project_id, const std::string& msgid,
                                           std::vector<std::string> awaiting, db::KnownMsgids* known = nullptr,
                                           const RehomeHooks& hooks = {});

}  // namespace pb::service
