#include "db/outbox.h"

namespace pb::db {
namespace {

constexpr const char* kColumns =
    "id, created, sender, recipients, attempts, next_attempt, last_error";

OutboxRow Read(Query& q) {
  OutboxRow r;
  r.id = q.Int(0);
  r.created = q.Int(1);
  r.sender = q.Str(2);
  r.recipients = q.Str(3);
  r.attempts = q.Int(4);
  r.next_attempt = q.Int(5);
  r.last_error = q.Str(6);
  return r;
}

}  // namespace

Id InsertOutboxMail(Connection& c, std::string_view sender, std::string_view recipients,
                    std::string_view message, Micros now) {
  Statement& st = c.Prepare(
      "INSERT INTO outbox (created, sender, recipients, message, next_attempt) "
      "VALUES (?1, ?2, ?3, ?4, ?1) RETURNING id");
  st.BindInt(1, now);
  st.BindText(2, sender);
  st.BindText(3, recipients);
  st.BindBlob(4, message);  // the bytes as composed, whatever they hold
  if (!st.Step()) throw DbError(DbError::Kind::kGeneric, "outbox insert returned no id");
  Id id = st.Int(0);
  st.Reset();
  return id;
}

std::vector<OutboxRow> ClaimDueOutboxMails(Connection& c, Micros now, Micros lease_until,
                                           int64_t limit, bool ignore_backoff, Id after_id) {
  std::vector<OutboxRow> out;
  {
    Query q(c,
            std::string("SELECT ") + kColumns +
                ", message FROM outbox WHERE id > ?4 AND leased_until <= ?1 "
                "AND (next_attempt <= ?1 OR ?3 = 1) ORDER BY id LIMIT ?2",
            now, limit, ignore_backoff, after_id);
    while (q.Next()) {
      out.push_back(Read(q));
      out.back().message = std::string(q.Blob(7));
    }
  }
  for (const auto& r : out) {
    Query(c, "UPDATE outbox SET leased_until = ?1 WHERE id = ?2", lease_until, r.id).Run();
  }
  return out;
}

void DeleteOutboxMail(Connection& c, Id id) {
  Query(c, "DELETE FROM outbox WHERE id = ?1", id).Run();
}

void OutboxMailFailed(Connection& c, Id id, std::string_view error, Micros next_attempt) {
  Query(c,
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?1, next_attempt = ?2, "
        "leased_until = 0 WHERE id = ?3",
        error, next_attempt, id)
      .Run();
}

std::vector<OutboxRow> ListOutbox(Connection& c) {
  Query q(c, std::string("SELECT ") + kColumns + " FROM outbox ORDER BY id");
  std::vector<OutboxRow> out;
  while (q.Next()) out.push_back(Read(q));
  return out;
}

}  // namespace pb::db
