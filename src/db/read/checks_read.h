// Read-side queries for a patch's checks (spec §3.8.9).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/rows.h"

namespace pb::db::read {

enum class CheckOrder { kId, kUser, kDate, kState, kTargetUrl, kContext, kDescription };

struct CheckFilter {
  std::optional<std::vector<Id>> users;
  std::optional<int> state;            // 0..3
  std::optional<std::string> context;  // exact
  std::optional<Micros> since, before;
  std::vector<std::pair<CheckOrder, bool>> order;  // empty: id
};

int64_t CountChecks(Connection& c, Id patch, const CheckFilter& f, CountCache* cache,
                    int64_t generation);
std::vector<CheckRec> ListChecks(Connection& c, Id patch, const CheckFilter& f, int64_t limit,
                                 int64_t offset);
// The check `id` when it belongs to `patch`.
std::optional<CheckRec> GetCheck(Connection& c, Id patch, Id id);

}  // namespace pb::db::read
