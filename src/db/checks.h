// CI check results on patches (spec §3.8.7): the write behind
// service::CreateCheck, inside the caller's transaction.
#pragma once

#include <optional>
#include <string>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct NewCheckRow {
  Id patch_id = 0;
  Id user_id = 0;
  Micros date = 0;
  int state = 0;  // 0 pending, 1 success, 2 warning, 3 fail
  std::optional<std::string> target_url, description;
  std::string context;
};

// Returns the new check's id.
Id InsertCheck(Connection& c, const NewCheckRow& k);

}  // namespace pb::db
