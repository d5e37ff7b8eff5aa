// How a service write turns a database exception into its Status.
#pragma once

#include "core/status.h"
#include "db/connection.h"

namespace pb::service {

// A failed statement is this write's failure: a Status the caller reports
// (a 500, a form error). The database server being gone is not: that
// exception goes on to the request boundary (api/app.cc, web/site.cc), which
// answers 503 with a JSON or HTML body, exactly as it does for a read in
// the same outage, and the client retries.
inline Status DatabaseFailure(const db::DbError& e) {
  if (e.kind() == db::DbError::Kind::kUnavailable) throw e;
  return Status::Database(e.what());
}

}  // namespace pb::service
