// A read-only connection to a MySQL or MariaDB server, for `patchbay import`
// from an upstream Patchwork that runs on one. patchbay never stores its own
// data there: only reads (Prepare + Step) are supported; writes, transactions
// and scripts throw.
#pragma once

#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::db {

// url: "mysql://user:pass@host:port/db" or "mariadb://..." (percent-encoded
// user and password); a Unix socket as "mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock"
// or "mysql:///db?socket=/path". Throws DbError (kUnavailable when the server
// cannot be reached, kGeneric for a bad URL or a missing client library).
std::unique_ptr<Connection> OpenMariadb(const std::string& url);

// The parts of such a URL (exposed for tests).
struct MariadbTarget {
  std::string user, password, host, database, socket;
  unsigned port = 0;
};
MariadbTarget ParseMariadbUrl(const std::string& url);

}  // namespace pb::db
