// Stored comments found by message id and moved to another parent, and the
// references a comment still awaits (comment_refs). Used when a mail arrives
// after a reply that names it: the reply then goes where an in-order ingest
// would have put it (service/comment_homes.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

class KnownMsgids;  // db/mail_store.h

struct StoredComment {
  bool on_patch = false;  // patch_comments, else cover_comments
  Id id = 0;
  Id parent_id = 0;       // the patch or the cover
  std::string msgid;
  std::string headers;
};

// What each of a reply's references is in the project: a patch, a comment on
// one, a cover letter, a comment on one. Each answer is the single lookup
// of db/mail_store.h it replaces (PatchIdByMsgid, PatchIdOfCommentMsgid,
// CoverIdByMsgid, CoverIdOfCommentMsgid). On PostgreSQL all references are
// looked up at once, in one statement (a round trip each would cost more than
// the lookups); SQLite looks each up when asked, which stops at the first
// reference that answers. With `known` (an archive batch's), references it
// knows are no stored mail are not looked up at all.
class ReferenceLookup {
 public:
  ReferenceLookup(Connection& c, Id project_id, const std::vector<std::string>& refs,
                  const KnownMsgids* known = nullptr);
  std::optional<Id> Patch(const std::string& ref);
  std::optional<Id> PatchOfComment(const std::string& ref);
  std::optional<Id> Cover(const std::string& ref);
  std::optional<Id> CoverOfComment(const std::string& ref);

 private:
  struct Found {
    std::optional<Id> patch, patch_of_comment, cover, cover_of_comment;
    bool several_cover_comments = false;
    std::pair<int64_t, int64_t> newest_comment;  // (date, id) of patch_of_comment's
  };
  const Found* Prefetched(const std::string& ref) const;

  // Known (by the batch) to be nothing on that side: patches and their
  // comments, or cover letters and theirs.
  bool Absent(const std::string& ref, bool cover_side) const;

  Connection& c_;
  Id project_id_;
  const KnownMsgids* known_;
  bool prefetched_;
  std::vector<std::pair<std::string, Found>> found_;  // a reply has few references
};

// The project's comment with this message id (a patch comment first).
std::optional<StoredComment> FindCommentByMsgid(Connection& c, Id project_id, std::string_view msgid);

// Whether the project has a comment with this message id: FindCommentByMsgid
// without the row. Its ORDER BY over the UNION ALL made SQLite build two
// ephemeral tables per call (8 % of an archive import's store thread, for a
// duplicate check that is almost always false).
bool CommentExists(Connection& c, Id project_id, std::string_view msgid);

// Every comment of one patch (on_patch) or cover.
std::vector<StoredComment> CommentsOf(Connection& c, bool on_patch, Id parent_id);

// The comment and its event follow it to the new parent.
void MovePatchComment(Connection& c, Id comment_id, Id patch_id);
void MoveCoverComment(Connection& c, Id comment_id, Id cover_id);
// The cover comment becomes a comment of the patch (its cover-comment-created
// event goes with it); returns the new patch comment's id.
Id CoverCommentToPatchComment(Connection& c, Id cover_comment_id, Id patch_id);

// Remembers that `comment_msgid`'s parent may change once `refs` are stored.
void AwaitRefs(Connection& c, Id project_id, std::string_view comment_msgid,
               const std::vector<std::string>& refs);
// Comments awaiting `msgid`, and forgetting them once it can change no more.
std::vector<std::string> CommentsAwaiting(Connection& c, Id project_id, std::string_view msgid);
void ForgetAwaited(Connection& c, Id project_id, std::string_view msgid);

}  // namespace pb::db
