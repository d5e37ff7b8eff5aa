#include "service/password_reset.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "service/passwords.h"
#include "core/strings.h"

namespace pb::service {
namespace {

constexpr std::string_view kSalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator";
constexpr int64_t kEpoch2001 = 978307200;  // datetime(2001, 1, 1) in Unix seconds

std::string Base36(int64_t v) {
  if (v <= 0) return "0";
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  }
  return s;
}

std::optional<int64_t> FromBase36(std::string_view s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int64_t v = 0;
  for (char ch : s) {
    int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * 36 + d;
  }
  return v;
}

// salted_hmac(key_salt, value, secret, algorithm="sha256").hexdigest()[::2]
std::string Signature(const db::AccountRow& a, std::string_view secret, int64_t ts) {
  std::string key_material = std::string(kSalt) + std::string(secret);
  unsigned char key[EVP_MAX_MD_SIZE];
  unsigned int key_len = 0;
  EVP_Digest(key_material.data(), key_material.size(), key, &key_len, EVP_sha256(), nullptr);
  std::string value = std::to_string(a.user.id) + a.password +
                      (a.last_login ? std::to_string(*a.last_login / 1000000) : "") +
                      std::to_string(ts) + a.user.email;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_len),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &mac_len);
  std::string hex = HexLower(mac, mac_len);
  std::string half;
  for (size_t i = 0; i < hex.size(); i += 2) half += hex[i];
  return half;
}

}  // namespace

std::string ResetUid(db::Id user_id) {
  // urlsafe_base64_encode(force_bytes(pk)) without padding.
  std::string s = std::to_string(user_id);
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& ch : out) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return out;
}

std::optional<db::Id> ParseResetUid(std::string_view uidb64) {
  if (uidb64.empty() || uidb64.size() > 24) return std::nullopt;
  std::string s(uidb64);
  for (char& ch : s) {
    if (ch == '-') ch = '+';
    if (ch == '_') ch = '/';
  }
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // padding decoded as NULs
  if (out.empty() || out.size() > 18) return std::nullopt;
  db::Id id = 0;
  for (char ch : out) {
    if (ch < '0' || ch > '9') return std::nullopt;
    id = id * 10 + (ch - '0');
  }
  return id;
}

std::string ResetSecret(db::Connection& c) {
  return db::SiteSecret(c, "password_reset", NewToken() + NewToken());
}

std::string MakeResetToken(const db::AccountRow& a, std::string_view secret, Micros now) {
  int64_t ts = now / 1000000 - kEpoch2001;
  return Base36(ts) + "-" + Signature(a, secret, ts);
}

bool CheckResetToken(const db::AccountRow& a, std::string_view secret, std::string_view token,
                     Micros now) {
  size_t dash = token.find('-');
  if (dash == std::string_view::npos) return false;
  auto ts = FromBase36(token.substr(0, dash));
  if (!ts) return false;
  std::string expected = Signature(a, secret, *ts);
  std::string_view got = token.substr(dash + 1);
  if (got.size() != expected.size() || CRYPTO_memcmp(got.data(), expected.data(), got.size()) != 0) {
    return false;
  }
  int64_t age = now / 1000000 - kEpoch2001 - *ts;
  return age >= 0 && age <= kPasswordResetSeconds;
}

}  // namespace pb::service
