#include "db/failed_mails.h"

namespace pb::db {

std::vector<FailedMailSummary> ListUnresolvedFailedMails(Connection& c) {
  std::vector<FailedMailSummary> out;
  Query q(c,
          "SELECT id, received, COALESCE(msgid, ''), reason FROM failed_mails "
          "WHERE resolved = 0 ORDER BY id");
  while (q.Next()) out.push_back({q.Int(0), q.Int(1), q.Str(2), q.Str(3)});
  return out;
}

std::optional<std::string> FailedMailRaw(Connection& c, Id id) {
  Query q(c, "SELECT raw FROM failed_mails WHERE id = ?1", id);
  if (!q.Next()) return std::nullopt;
  return std::string(q.Blob(0));
}

std::vector<FailedMailToRetry> UnresolvedFailedMails(Connection& c, std::optional<Id> id) {
  std::vector<FailedMailToRetry> out;
  Query q(c,
          "SELECT id, raw, COALESCE(list_id, '') FROM failed_mails WHERE resolved = 0 "
          "AND (?1 = 1 OR id = ?2) ORDER BY id",
          id ? 0 : 1, id.value_or(0));
  while (q.Next()) out.push_back({q.Int(0), std::string(q.Blob(1)), q.Str(2)});
  return out;
}

void MarkFailedMailResolved(Connection& c, Id id) {
  Query(c, "UPDATE failed_mails SET resolved = 1 WHERE id = ?1", id).Run();
}

}  // namespace pb::db
