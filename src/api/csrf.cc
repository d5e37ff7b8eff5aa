#include "api/csrf.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "api/cookies.h"

namespace pb::api::csrf {
namespace {

// CSRF_ALLOWED_CHARS = string.ascii_letters + string.digits
constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr size_t kSecretLength = 32;
constexpr size_t kTokenLength = 64;

int IndexOf(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return -1;
}

std::string RandomString(size_t n) {
  std::string out;
  while (out.size() < n) {
    unsigned char buf[64];
    if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
    for (unsigned char b : buf) {
      if (b >= 248) continue;  // 248 = 4 * 62: every character equally likely
      out += kChars[b % kChars.size()];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string Mask(std::string_view secret) {
  std::string mask = RandomString(kSecretLength);
  std::string out = mask;
  for (size_t i = 0; i < kSecretLength; ++i) {
    out += kChars[static_cast<size_t>(IndexOf(secret[i]) + IndexOf(mask[i])) % kChars.size()];
  }
  return out;
}

// The InvalidTokenFormat reasons, or "" for a well-formed token.
std::string_view FormatProblem(std::string_view token) {
  if (token.size() != kSecretLength && token.size() != kTokenLength) return "has incorrect length";
  for (char c : token) {
    if (IndexOf(c) < 0) return "has invalid characters";
  }
  return "";
}

std::string Unmask(std::string_view token) {
  std::string_view mask = token.substr(0, kSecretLength);
  std::string_view cipher = token.substr(kSecretLength);
  std::string out;
  for (size_t i = 0; i < kSecretLength; ++i) {
    int n = static_cast<int>(kChars.size());
    out += kChars[static_cast<size_t>(((IndexOf(cipher[i]) - IndexOf(mask[i])) % n + n) % n)];
  }
  return out;
}

std::optional<std::string> CookieOf(const http::Request& req) {
  std::string_view header = req.Header("cookie");
  if (header.empty()) return std::nullopt;
  return FindCookie(header, kCookieName);
}

PageToken Issue(const std::string& secret) {
  return {Mask(secret), SetCookieValue(kCookieName, secret, kCookieAgeSeconds, /*http_only=*/false)};
}

}  // namespace

bool IsSafeMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE";
}

std::optional<std::string> SecretOf(std::string_view token) {
  if (!FormatProblem(token).empty()) return std::nullopt;
  if (token.size() == kTokenLength) return Unmask(token);
  return std::string(token);
}

std::optional<std::string> Check(const http::Request& req, std::string_view form_token,
                                 std::string_view base_url) {
  for (const auto& [name, origin] : req.headers) {
    if (name != "origin") continue;
    bool same_site = origin == "http://" + std::string(req.Header("host"));
    std::string trusted = OriginOf(base_url);
    if (!same_site && !(!trusted.empty() && origin == trusted)) {
      return "Origin checking failed - " + origin + " does not match any trusted origins.";
    }
    break;
  }

  auto cookie = CookieOf(req);
  if (!cookie) return "CSRF cookie not set.";
  if (auto problem = FormatProblem(*cookie); !problem.empty()) {
    return "CSRF cookie " + std::string(problem) + ".";
  }
  std::string secret = *SecretOf(*cookie);

  std::string_view token = form_token;
  std::string source = "POST";
  if (token.empty()) {
    bool present = false;
    for (const auto& [name, value] : req.headers) {
      if (name == "x-csrftoken") {
        token = value;
        present = true;
        break;
      }
    }
    if (!present) return "CSRF token missing.";
    source = "the 'X-Csrftoken' HTTP header";
  }
  if (auto problem = FormatProblem(token); !problem.empty()) {
    return "CSRF token from " + source + " " + std::string(problem) + ".";
  }
  std::string sent = *SecretOf(token);
  if (CRYPTO_memcmp(sent.data(), secret.data(), kSecretLength) != 0) {
    return "CSRF token from " + source + " incorrect.";
  }
  return std::nullopt;
}

PageToken ForPage(const http::Request& req) {
  auto cookie = CookieOf(req);
  if (cookie) {
    if (auto secret = SecretOf(*cookie)) return Issue(*secret);
  }
  return Rotated();
}

std::string OriginOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || scheme == 0) return "";
  size_t path = url.find('/', scheme + 3);
  return std::string(url.substr(0, path));
}

PageToken Rotated() { return Issue(RandomString(kSecretLength)); }

}  // namespace pb::api::csrf
