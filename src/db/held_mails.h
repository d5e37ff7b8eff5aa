// Replies that arrived before the mail they answer (held_mails). Upstream
// drops such a reply; patchbay keeps it until its parent is stored, so the
// outcome of an ingest does not depend on delivery order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct HeldMail {
  Id id = 0;
  Id project_id = 0;
  std::string msgid;
  std::string list_id;
  Micros held = 0;
  bool universal_newlines = false;
  std::string raw;
};

// Holds `raw` under every msgid it references. False when the project
// already holds a mail with this msgid (a redelivery).
bool HoldMail(Connection& c, const HeldMail& mail, const std::vector<std::string>& refs);

// The project's held mails that reference `msgid`, oldest first, raw
// included, deleted with their references: on PostgreSQL one statement
// instead of one plus two per mail.
std::vector<HeldMail> TakeHeldRepliesTo(Connection& c, Id project_id, std::string_view msgid);

// What waits for `msgid`: the stored comments (comment_refs) whose home may
// change once it is stored, by message id in order, and whether held mails
// do. One statement, so the common answer "nothing" costs one round trip,
// and the comments to re-home come with it.
struct Awaiting {
  std::vector<std::string> comment_msgids;  // what CommentsAwaiting gives
  bool held_mails = false;
};
Awaiting WhatAwaits(Connection& c, Id project_id, std::string_view msgid);

// Drops mails held since before `cutoff`, then the oldest beyond
// `max_count`. Returns how many went.
int64_t ExpireHeldMails(Connection& c, Micros cutoff, int64_t max_count);

// Every held mail, oldest first, without the raw text; `refs` is the first
// reference (the parent it waits for).
struct HeldSummary {
  Id id = 0;
  std::string project;
  std::string msgid;
  std::string waits_for;
  Micros held = 0;
  int64_t bytes = 0;
};
std::vector<HeldSummary> ListHeldMails(Connection& c);

}  // namespace pb::db
