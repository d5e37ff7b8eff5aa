#include "db/held_mails.h"

#include <optional>

#include "db/array_literal.h"
#include "db/insert_id.h"

namespace pb::db {

bool HoldMail(Connection& c, const HeldMail& mail, const std::vector<std::string>& refs) {
  if (c.dialect() == Dialect::kPostgres && !refs.empty()) {
    // The mail and its references in one statement: each statement's start
    // and end cost the server more than its rows (a held reply names 3.4
    // references on average). A reference named twice keeps its first
    // position, as row by row (ORDER BY the ordinality; DO NOTHING skips
    // the later one); a redelivery inserts neither.
    return QueryInt(c,
                    "WITH h AS (INSERT INTO held_mails (project_id, msgid, list_id, held, "
                    "universal_newlines, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                    "ON CONFLICT (project_id, msgid) DO NOTHING RETURNING id), "
                    "r AS (INSERT INTO held_mail_refs (held_id, project_id, msgid, position) "
                    "SELECT h.id, ?1, u.m, u.ord - 1 FROM h, unnest(?7::text[]) WITH ORDINALITY AS u (m, ord) "
                    "ORDER BY u.ord ON CONFLICT DO NOTHING) "
                    "SELECT id FROM h",
                    mail.project_id, mail.msgid, mail.list_id, mail.held,
                    mail.universal_newlines ? 1 : 0, Bytes{mail.raw}, TextArray(refs))
        .has_value();
  }
  auto id = InsertReturningId(
      c,
      "INSERT INTO held_mails (project_id, msgid, list_id, held, universal_newlines, raw) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id, msgid) DO NOTHING",
      mail.project_id, mail.msgid, mail.list_id, mail.held, mail.universal_newlines ? 1 : 0,
      Bytes{mail.raw});  // the raw mail may hold NULs and invalid UTF-8
  if (!id) return false;
  if (refs.empty()) return true;
  for (size_t i = 0; i < refs.size(); ++i) {
    Query(c,
          "INSERT INTO held_mail_refs (held_id, project_id, msgid, position) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT DO NOTHING",
          *id, mail.project_id, refs[i], static_cast<int64_t>(i))
        .Send();
  }
  return true;
}

namespace {

HeldMail ReadHeldMail(Query& q) {
  HeldMail m;
  m.id = q.Int(0);
  m.project_id = q.Int(1);
  m.msgid = q.Str(2);
  m.list_id = q.Str(3);
  m.held = q.Int(4);
  m.universal_newlines = q.Int(5) != 0;
  m.raw = std::string(q.Blob(6));
  return m;
}

// The project's held mails that reference `msgid`, oldest first, raw included.
std::vector<HeldMail> HeldRepliesTo(Connection& c, Id project_id, std::string_view msgid) {
  std::vector<HeldMail> out;
  Query q(c,
          "SELECT h.id, h.project_id, h.msgid, h.list_id, h.held, h.universal_newlines, h.raw "
          "FROM held_mail_refs r JOIN held_mails h ON h.id = r.held_id "
          "WHERE r.project_id = ?1 AND r.msgid = ?2 ORDER BY h.id",
          project_id, msgid);
  while (q.Next()) out.push_back(ReadHeldMail(q));
  return out;
}

void DeleteHeldMail(Connection& c, Id id) {
  Query(c, "DELETE FROM held_mail_refs WHERE held_id = ?1", id).Send();
  Query(c, "DELETE FROM held_mails WHERE id = ?1", id).Send();
}

}  // namespace

std::vector<HeldMail> TakeHeldRepliesTo(Connection& c, Id project_id, std::string_view msgid) {
  if (c.dialect() != Dialect::kPostgres) {
    auto out = HeldRepliesTo(c, project_id, msgid);
    for (const auto& m : out) DeleteHeldMail(c, m.id);
    return out;
  }
  // The references go with their mails by migration 19's statement trigger
  // (held_mails_children_follow).
  std::vector<HeldMail> out;
  Query q(c,
          "WITH h AS (DELETE FROM held_mails WHERE project_id = ?1 AND id IN "
          "(SELECT held_id FROM held_mail_refs WHERE project_id = ?1 AND msgid = ?2) "
          "RETURNING id, project_id, msgid, list_id, held, universal_newlines, raw) "
          "SELECT id, project_id, msgid, list_id, held, universal_newlines, raw FROM h ORDER BY id",
          project_id, msgid);
  while (q.Next()) out.push_back(ReadHeldMail(q));
  return out;
}

Awaiting WhatAwaits(Connection& c, Id project_id, std::string_view msgid) {
  // The comments first, in CommentsAwaiting's order; then one row if held
  // mails wait too.
  Query q(c,
          "SELECT 0, comment_msgid FROM comment_refs WHERE project_id = ?1 AND msgid = ?2 "
          "UNION ALL SELECT 1, '' WHERE EXISTS (SELECT 1 FROM held_mail_refs WHERE project_id = ?1 "
          "AND msgid = ?2) ORDER BY 1, 2",
          project_id, msgid);
  Awaiting out;
  while (q.Next()) {
    if (q.Int(0) != 0) {
      out.held_mails = true;
    } else {
      out.comment_msgids.push_back(q.Str(1));
    }
  }
  return out;
}

int64_t ExpireHeldMails(Connection& c, Micros cutoff, int64_t max_count) {
  // Only the oldest rows can be stale or over the count: both walk the id
  // order from the start.
  std::vector<Id> ids;
  {
    Query q(c, "SELECT id FROM held_mails WHERE held < ?1 ORDER BY id", cutoff);
    while (q.Next()) ids.push_back(q.Int(0));
  }
  int64_t left = QueryInt(c, "SELECT COUNT(*) FROM held_mails").value_or(0) -
                 static_cast<int64_t>(ids.size());
  if (left > max_count) {
    Query q(c, "SELECT id FROM held_mails WHERE held >= ?1 ORDER BY id LIMIT ?2", cutoff,
            left - max_count);
    while (q.Next()) ids.push_back(q.Int(0));
  }
  for (Id id : ids) DeleteHeldMail(c, id);
  return static_cast<int64_t>(ids.size());
}

std::vector<HeldSummary> ListHeldMails(Connection& c) {
  std::vector<HeldSummary> out;
  Query q(c,
          "SELECT h.id, p.linkname, h.msgid, COALESCE(r.msgid, ''), h.held, LENGTH(h.raw) "
          "FROM held_mails h JOIN projects p ON p.id = h.project_id "
          "LEFT JOIN held_mail_refs r ON r.held_id = h.id AND r.position = 0 ORDER BY h.id");
  while (q.Next()) {
    out.push_back({q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Int(4), q.Int(5)});
  }
  return out;
}

}  // namespace pb::db
