#include "xmlrpc/auth.h"

#include "db/rpc_store.h"
#include "service/passwords.h"
#include "xmlrpc/marshal.h"
#include "xmlrpc/py.h"
#include "xmlrpc/py_error.h"

namespace pb::xmlrpc {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Checked when the username is unknown, so that answering "no such user"
// costs as much as a wrong password (Django does the same).
const std::string& DummyHash() {
  static const std::string hash = service::HashPassword("patchbay-no-such-user");
  return hash;
}

}  // namespace

User Authenticate(db::Connection& conn, std::string_view authorization) {
  if (authorization.empty()) throw Error("No authentication credentials given");
  std::string_view header = PyStrip(authorization);
  if (header.substr(0, 6) != "Basic ") throw Error("Authentication scheme not supported");
  header = PyStrip(header.substr(6));

  // Upstream decodes ASCII only; anything else is "invalid credentials".
  std::string decoded;
  if (!IsAscii(header) || !DecodeBase64(header, &decoded) || !IsAscii(decoded)) {
    throw Error("Invalid authentication credentials");
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) throw Error("Invalid authentication credentials");
  std::string_view username = std::string_view(decoded).substr(0, colon);
  std::string_view password = std::string_view(decoded).substr(colon + 1);

  auto login = db::RpcUserByUsername(conn, username);
  if (!login) {
    service::CheckPassword(password, DummyHash());
    throw Error("Invalid username/password");
  }
  if (!service::CheckPassword(password, login->password) || !login->active) {
    throw Error("Invalid username/password");
  }
  return {login->id, login->username};
}

}  // namespace pb::xmlrpc
