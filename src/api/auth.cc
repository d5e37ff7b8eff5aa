#include "api/auth.h"

#include <openssl/evp.h>

#include <cctype>

#include <vector>

#include "api/cookies.h"
#include "api/csrf.h"
#include "api/request_body.h"
#include "core/strings.h"
#include "service/login_throttle.h"
#include "service/passwords.h"
#include "service/sessions.h"

namespace pb::api {
namespace {

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}


std::string Sha256(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

bool ValidUtf8(std::string_view s);

// Latin-1 bytes to UTF-8 (DRF falls back to latin-1 for Basic credentials).
std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

AuthResult Basic(const std::vector<std::string_view>& parts, db::Connection& conn, AuthCache& cache,
                 std::string_view header, std::string_view client) {
  if (parts.size() == 1) return {std::nullopt, "Invalid basic header. No credentials provided."};
  if (parts.size() > 2) {
    return {std::nullopt, "Invalid basic header. Credentials string should not contain spaces."};
  }
  auto decoded = DecodeBase64Lenient(parts[1]);
  if (!decoded) {
    return {std::nullopt, "Invalid basic header. Credentials not correctly base64 encoded."};
  }
  std::string text = ValidUtf8(*decoded) ? *decoded : Latin1ToUtf8(*decoded);
  size_t colon = text.find(':');
  std::string username = text.substr(0, colon);
  std::string password = colon == std::string::npos ? "" : text.substr(colon + 1);
  const AuthResult failed{std::nullopt, "Invalid username/password."};

  std::string key = Sha256(header);
  if (auto hit = cache.Get(key)) {
    auto u = db::read::UserById(conn, hit->first);
    if (u && u->is_active && u->password == hit->second && u->user.username == username) {
      return {std::move(u), std::nullopt};
    }
  }
  // Guessing through Basic auth is throttled as the login page is
  // (service/login_throttle.h), before any hashing.
  auto& throttle = service::LoginThrottle::Global();
  if (throttle.WaitSeconds(username, client) > 0) return failed;
  auto u = db::read::UserByUsername(conn, username);
  if (!u) {
    // Spend the hashing time anyway, as Django does, so that response
    // times don't reveal which usernames exist.
    service::CheckPassword(password, "pbkdf2_sha256$260000$timing$AAAA");
    throttle.Failed(username, client);
    return failed;
  }
  if (!service::CheckPassword(password, u->password) || !u->is_active) {
    throttle.Failed(username, client);
    return failed;
  }
  throttle.Succeeded(username, client);
  cache.Put(key, u->user.id, u->password);
  return {std::move(u), std::nullopt};
}

AuthResult Token(const std::vector<std::string_view>& parts, db::Connection& conn) {
  if (parts.size() == 1) return {std::nullopt, "Invalid token header. No credentials provided."};
  if (parts.size() > 2) {
    return {std::nullopt, "Invalid token header. Token string should not contain spaces."};
  }
  if (!ValidUtf8(parts[1])) {
    return {std::nullopt,
            "Invalid token header. Token string should not contain invalid characters."};
  }
  auto u = db::read::UserByToken(conn, parts[1]);
  if (!u) return {std::nullopt, "Invalid token."};
  if (!u->is_active) return {std::nullopt, "User inactive or deleted."};
  return {std::move(u), std::nullopt};
}

// The csrfmiddlewaretoken field of a POST form body, as request.POST gives
// it to Django's check ("" for other bodies). A body that does not parse
// counts as no field; the view then reports the parse error.
std::string FormCsrfToken(const http::Request& req) {
  if (req.method != "POST") return "";
  auto parsed = ParseRequestBody(req, "");
  auto* data = std::get_if<RequestData>(&parsed);
  if (!data || !data->is_form()) return "";
  auto values = data->GetList(csrf::kFormField);
  return values.empty() ? "" : values.back();
}

// SessionAuthentication.authenticate: nullopt when the cookie gives no
// active user (the next scheme is tried), else the user or the CSRF error.
std::optional<AuthResult> Session(const http::Request& req, std::string_view cookies,
                                  db::Connection& conn, std::string_view base_url,
                                  bool* stale) {
  auto key = FindCookie(cookies, "sessionid");
  if (!key) return std::nullopt;
  auto session = service::ResolveSession(conn, *key);
  *stale = session.stale;
  if (!session.user) return std::nullopt;
  if (!csrf::IsSafeMethod(req.method)) {
    if (auto reason = csrf::Check(req, FormCsrfToken(req), base_url)) {
      return AuthResult{std::nullopt, "CSRF Failed: " + *reason};
    }
  }
  AuthResult r{std::move(session.user), std::nullopt};
  r.via_session = true;
  return r;
}

}  // namespace

std::optional<std::pair<db::Id, std::string>> AuthCache::Get(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void AuthCache::Put(const std::string& key, db::Id user, const std::string& encoded_hash) {
  if (entries_.size() >= 1024) entries_.clear();
  entries_[key] = {user, encoded_hash};
}

std::optional<std::string> DecodeBase64Lenient(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t quads = 0;  // data characters seen
  size_t pads = 0;
  for (char c : in) {
    if (c == '=') {
      ++pads;
      // binascii stops at the padding that completes a quantum
      if ((quads + pads) % 4 == 0) break;
      continue;
    }
    int v = value(c);
    if (v < 0) continue;
    if (pads) return std::nullopt;  // data after a partial padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++quads;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  size_t rem = quads % 4;
  if (rem == 1) return std::nullopt;
  if (rem != 0 && rem + pads < 4) return std::nullopt;  // "Incorrect padding"
  return out;
}

AuthResult Authenticate(const http::Request& req, db::Connection& conn, AuthCache& cache,
                        std::string_view base_url) {
  bool stale_session = false;
  if (std::string_view cookies = req.Header("cookie"); !cookies.empty()) {
    if (auto r = Session(req, cookies, conn, base_url, &stale_session)) return std::move(*r);
  }
  AuthResult r;
  std::string_view header = req.Header("authorization");
  auto parts = SplitWhitespace(header);
  if (!parts.empty()) {
    if (EqualsNoCase(parts[0], "basic")) r = Basic(parts, conn, cache, header, req.remote_address);
    else if (EqualsNoCase(parts[0], "token")) r = Token(parts, conn);
  }
  r.stale_session = stale_session;
  return r;
}

}  // namespace pb::api
