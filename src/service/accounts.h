// Accounts as upstream's views keep them (spec §6.6, §6.7): registration
// creates an inactive user and a confirmation; confirmations link
// addresses, activate accounts and maintain the opt-out list; a user is
// linked to every people row of a confirmed address. These run inside the
// caller's transaction, so the caller can queue the confirmation mail
// (notify::QueueMail) in the same commit.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "db/accounts.h"
#include "db/connection.h"

namespace pb::service {

inline constexpr int kConfirmationValidityDays = 7;  // CONFIRMATION_VALIDITY_DAYS

struct RegistrationForm {
  std::string first_name, last_name, username, email, password;
};
// Field name -> Django's error text; empty when valid.
using FormErrors = std::map<std::string, std::string>;

FormErrors ValidateRegistration(db::Connection& c, const RegistrationForm& f);
// Creates the inactive user and its `registration` confirmation; returns the
// confirmation key. Validate first.
std::string Register(db::Connection& c, const RegistrationForm& f, Micros now = NowMicros());
// The same with the password already hashed (HashPassword(f.password)),
// for a caller that hashes off its serving thread.
std::string RegisterHashed(db::Connection& c, const RegistrationForm& f, std::string_view hash,
                           Micros now = NowMicros());

// Django's EmailField (max 200 for EmailForm): an error text or "".
std::string EmailError(std::string_view email, size_t max_length = 200);

// A new confirmation of `type` (userperson, optout, optin); returns its key.
std::string NewConfirmation(db::Connection& c, std::string_view type, std::string_view email,
                            std::optional<db::Id> user_id, Micros now = NowMicros());

enum class ConfirmOutcome { kUnknown, kInactive, kExpired, kDone };
struct Confirmed {
  ConfirmOutcome outcome = ConfirmOutcome::kUnknown;
  db::ConfirmationRow conf;
};
// Looks the key up without acting (the link confirmation needs a login).
Confirmed CheckConfirmation(db::Connection& c, std::string_view key, int validity_days,
                            Micros now = NowMicros());
// Acts on a valid confirmation: registration activates the user and links
// its address; userperson links the address to `conf.user_id`; optout and
// optin edit the opt-out list. Deactivates it.
void ApplyConfirmation(db::Connection& c, const db::ConfirmationRow& conf);

// UserProfile.name: "first last" without blanks, else the username.
std::string ProfileName(const db::UserRow& u);
// Lower-cased and stripped, as EmailOptout stores addresses.
std::string OptoutKey(std::string_view email);

}  // namespace pb::service
