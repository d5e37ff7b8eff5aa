// HTTP Basic authentication for the methods that write (patch_set,
// check_create), checked the way upstream's dispatcher and Django's
// ModelBackend check it.
#pragma once

#include <string>
#include <string_view>

#include "db/connection.h"
#include "db/records.h"

namespace pb::xmlrpc {

struct User {
  db::Id id = 0;
  std::string username;
};

// `authorization` is the Authorization header value. Throws PyError with
// upstream's messages: no credentials, scheme not supported, invalid
// credentials, invalid username/password (also for inactive accounts).
User Authenticate(db::Connection& conn, std::string_view authorization);

}  // namespace pb::xmlrpc
