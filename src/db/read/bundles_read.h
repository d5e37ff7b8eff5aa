// Read-side queries for bundles (spec §3.8.10): the bundles a viewer may see
// (public ones, plus their own), with their patches.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/rows.h"

namespace pb::db::read {

enum class BundleOrder { kId, kName, kOwner };

struct BundleFilter {
  std::optional<Id> viewer;  // authenticated user: sees own + public; else public only
  std::optional<std::vector<Id>> projects, owners;
  std::optional<bool> is_public;
  std::vector<std::string> search;  // every term must occur in name, case-insensitively
  std::vector<std::pair<BundleOrder, bool>> order;  // empty: id
};

int64_t CountBundles(Connection& c, const BundleFilter& f, CountCache* cache, int64_t generation);
std::vector<BundleRec> ListBundles(Connection& c, const BundleFilter& f, int64_t limit,
                                   int64_t offset);
// The bundle `id` if `viewer` may see it.
std::optional<BundleRec> GetBundle(Connection& c, Id id, std::optional<Id> viewer);
// Fills patches, ordered by patch date (one statement).
void LoadBundlePatches(Connection& c, const std::vector<BundleRec*>& bundles);

// Lookups that ignore visibility: the caller checks ownership itself.
std::optional<Id> FindBundleOwner(Connection& c, Id bundle_id);
struct BundleAccess {
  Id id = 0;
  Id owner_id = 0;
  bool is_public = false;
  std::string name;
};
std::optional<BundleAccess> FindBundleAccess(Connection& c, Id bundle_id);
// The bundle named `name` of the user `owner_username` (download URLs).
std::optional<BundleAccess> FindBundleByOwnerAndName(Connection& c, std::string_view owner_username,
                                                     std::string_view name);

}  // namespace pb::db::read
