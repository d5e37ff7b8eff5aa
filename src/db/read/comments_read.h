// Read-side queries for patch and cover comments (spec §3.8.8).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/rows.h"

namespace pb::db::read {

enum class CommentKind { kPatch, kCover };
enum class CommentOrder { kId, kDate, kSubmitter };

// The project of the parent patch/cover; nullopt when there is no such parent.
std::optional<Id> CommentParentProject(Connection& c, CommentKind kind, Id parent);

int64_t CountComments(Connection& c, CommentKind kind, Id parent, CountCache* cache,
                      int64_t generation);
// A page of the parent's comments; `order` empty means by id.
std::vector<CommentRec> ListComments(Connection& c, CommentKind kind, Id parent,
                                     const std::vector<std::pair<CommentOrder, bool>>& order,
                                     int64_t limit, int64_t offset);
// The comment `id` when it belongs to `parent`.
std::optional<CommentRec> GetComment(Connection& c, CommentKind kind, Id parent, Id id);

// The patch (kPatch) or cover (kCover) the comment `id` replies to.
std::optional<Id> CommentParentId(Connection& c, CommentKind kind, Id id);

}  // namespace pb::db::read
