// Password reset links as Django's PasswordResetTokenGenerator makes them:
// /user/password-reset/<uidb64>/<timestamp>-<hmac>/. The HMAC covers the
// user's id, password hash, last login and e-mail, so a link stops working
// once used (the password changes) or after a login, and it expires after
// PASSWORD_RESET_TIMEOUT (3 days). Signed with the database's site secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "db/accounts.h"
#include "db/connection.h"

namespace pb::service {

inline constexpr int64_t kPasswordResetSeconds = 3 * 24 * 3600;

std::string ResetUid(db::Id user_id);
std::optional<db::Id> ParseResetUid(std::string_view uidb64);

// The signing secret, made on first use and kept in the database.
std::string ResetSecret(db::Connection& c);
std::string MakeResetToken(const db::AccountRow& a, std::string_view secret, Micros now = NowMicros());
bool CheckResetToken(const db::AccountRow& a, std::string_view secret, std::string_view token,
                     Micros now = NowMicros());

}  // namespace pb::service
