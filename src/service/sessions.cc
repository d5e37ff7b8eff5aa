#include "service/sessions.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "db/sessions.h"
#include "db/users.h"
#include "service/passwords.h"
#include "core/strings.h"

namespace pb::service {
namespace {

std::string Sha256Hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return HexLower(md, len);
}

// Django's session keys: 32 characters of [a-z0-9] (VALID_KEY_CHARS).
// Rejection sampling keeps every character equally likely.
std::string NewSessionKey() {
  static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string key;
  while (key.size() < 32) {
    unsigned char buf[64];
    if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
    for (unsigned char b : buf) {
      if (b >= 252) continue;  // 252 = 7 * 36
      key += kChars[b % kChars.size()];
      if (key.size() == 32) break;
    }
  }
  return key;
}

}  // namespace

std::optional<db::read::AuthUserRec> FindLoginUser(db::Connection& c, std::string_view login) {
  if (auto u = db::read::UserByUsername(c, login)) return u;
  if (login.find('@') == std::string_view::npos) return std::nullopt;
  auto id = db::FindUserIdByEmail(c, login);
  if (!id) return std::nullopt;
  return db::read::UserById(c, *id);
}

NewSession StartSession(db::Connection& c, db::read::AuthUserRec user, Micros now) {
  NewSession s{NewSessionKey(), std::move(user), now + kSessionAgeSeconds * 1000000};
  db::Transaction tx(c);
  db::DeleteExpiredSessions(c, now);
  db::InsertSession(c, Sha256Hex(s.key), s.user.user.id, Sha256Hex(s.user.password), now, s.expires);
  db::SetLastLogin(c, s.user.user.id, now);
  tx.Commit();
  return s;
}

Result<NewSession> LogIn(db::Connection& c, std::string_view username_or_email,
                         std::string_view password, Micros now) {
  const Status invalid = Status::Invalid("invalid username or password");
  auto user = FindLoginUser(c, username_or_email);
  if (!user) {
    // Spend the hashing time anyway (Django does too), so response times
    // don't reveal which usernames exist.
    CheckPassword(password, "pbkdf2_sha256$260000$timing$AAAA");
    return invalid;
  }
  // The PBKDF2 check runs before any write lock is taken.
  if (!CheckPassword(password, user->password) || !user->is_active) return invalid;
  return StartSession(c, std::move(*user), now);
}

void LogOut(db::Connection& c, std::string_view session_key) {
  db::DeleteSession(c, Sha256Hex(session_key));
}

SessionLookup ResolveSession(db::Connection& c, std::string_view session_key, Micros now) {
  std::string key_hash = Sha256Hex(session_key);
  auto row = db::FindSession(c, key_hash, now);
  if (!row) return {std::nullopt, true};
  auto user = db::read::UserById(c, row->user_id);
  if (!user || Sha256Hex(user->password) != row->auth_hash) {
    db::DeleteSession(c, key_hash);
    return {std::nullopt, true};
  }
  // An inactive user's session stays (Django keeps it too) but is nobody's.
  if (!user->is_active) return {};
  return {std::move(user), false};
}

std::string RegenerateToken(db::Connection& c, db::Id user_id) {
  std::string token = NewToken();
  db::Transaction tx(c);
  db::SetToken(c, user_id, token);
  tx.Commit();
  return token;
}

}  // namespace pb::service
