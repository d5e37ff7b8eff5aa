// REST authentication as upstream configures DRF (spec §3.3,
// DEFAULT_AUTHENTICATION_CLASSES): the web session cookie, then HTTP Basic
// (Django PBKDF2 hashes), then Token. Failures are 403 with DRF's messages;
// no credentials means anonymous.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "db/connection.h"
#include "db/read/users_read.h"
#include "http/server.h"

namespace pb::api {

// PBKDF2 with Django's 260,000 iterations costs ~0.1 s; a client sending
// Basic on every request (git-pw does) would be limited to a few requests
// per second. Verified credentials are remembered per thread, keyed by a
// SHA-256 of the header, and trusted only while the stored hash is unchanged.
class AuthCache {
 public:
  std::optional<std::pair<db::Id, std::string>> Get(const std::string& key) const;
  void Put(const std::string& key, db::Id user, const std::string& encoded_hash);

 private:
  std::unordered_map<std::string, std::pair<db::Id, std::string>> entries_;
};

struct AuthResult {
  std::optional<db::read::AuthUserRec> user;  // set when authenticated
  std::optional<std::string> error;           // set when credentials were rejected
  bool via_session = false;    // the user came from the `sessionid` cookie
  bool stale_session = false;  // the `sessionid` cookie names no live session
};

// DRF's SessionAuthentication comes first: a live session authenticates
// whatever the Authorization header says, and then an unsafe method must
// pass the CSRF check (csrf.h) or fail with "CSRF Failed: <reason>".
// Requests without a Cookie header never reach the sessions table.
// `base_url`: see csrf::Check.
AuthResult Authenticate(const http::Request& req, db::Connection& conn, AuthCache& cache,
                        std::string_view base_url = {});

// base64.b64decode (non-validating: characters outside the alphabet are
// dropped, padding must be right). nullopt on bad padding.
std::optional<std::string> DecodeBase64Lenient(std::string_view in);

}  // namespace pb::api
