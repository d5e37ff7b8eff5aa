// Mails that could not be stored (`patchbay failed`): listing, showing and
// retrying them. They are kept by db::InsertFailedMail (db/mail_store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct FailedMailSummary {
  Id id = 0;
  Micros received = 0;
  std::string msgid;  // "" when the mail had none
  std::string reason;
};
// The unresolved ones, oldest first.
std::vector<FailedMailSummary> ListUnresolvedFailedMails(Connection& c);
// The raw bytes of failed mail `id`, resolved or not.
std::optional<std::string> FailedMailRaw(Connection& c, Id id);

struct FailedMailToRetry {
  Id id = 0;
  std::string raw;
  std::string list_id;  // "" when none was given
};
// The unresolved ones (only `id` when given), oldest first.
std::vector<FailedMailToRetry> UnresolvedFailedMails(Connection& c, std::optional<Id> id);
void MarkFailedMailResolved(Connection& c, Id id);

}  // namespace pb::db
