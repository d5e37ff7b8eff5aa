#include "api/choices.h"

#include <algorithm>

#include "api/filters.h"
#include "db/read/users_read.h"

namespace pb::api {
namespace {

using db::Id;

template <typename ById, typename ByName>
bool Resolve(const QueryParams& params, std::string_view name, ById by_id, ByName by_name,
             IdList* out) {
  auto values = params.All(name);
  if (values.empty()) return true;
  std::vector<Id> ids;
  for (auto v : values) {
    std::vector<Id> found;
    if (auto n = FilterInt(v)) {
      if (by_id(*n)) found.push_back(*n);
    } else {
      found = by_name(v);
    }
    if (found.empty()) return false;
    ids.insert(ids.end(), found.begin(), found.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  *out = std::move(ids);
  return true;
}

}  // namespace

bool ProjectChoice(Context& ctx, std::string_view param, IdList* out) {
  const auto& catalog = ctx.Catalog();
  return Resolve(
      ctx.params, param, [&](int64_t id) { return catalog.Project(id) != nullptr; },
      [&](std::string_view v) {
        const auto* p = catalog.ProjectByLinknameNoCase(v);
        return p ? std::vector<Id>{p->id} : std::vector<Id>{};
      },
      out);
}

bool PersonChoice(Context& ctx, std::string_view param, IdList* out) {
  auto& conn = ctx.conn();
  return Resolve(
      ctx.params, param, [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kPeople, id); },
      [&](std::string_view v) { return db::read::PersonIdsByEmail(conn, v); }, out);
}

bool UserChoice(Context& ctx, std::string_view param, IdList* out) {
  auto& conn = ctx.conn();
  return Resolve(
      ctx.params, param, [&](int64_t id) { return db::read::RowExists(conn, db::read::Table::kUsers, id); },
      [&](std::string_view v) { return db::read::UserIdsByUsername(conn, v); }, out);
}

bool IdChoice(Context& ctx, std::string_view param, db::read::Table table, IdList* out) {
  auto& conn = ctx.conn();
  return Resolve(
      ctx.params, param, [&](int64_t id) { return db::read::RowExists(conn, table, id); },
      [](std::string_view) { return std::vector<Id>{}; }, out);
}

}  // namespace pb::api
