// Read-side queries for cover letters (spec §3.8.6): filtered, ordered pages
// and single covers with their submitter and series.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/embed_cache.h"
#include "db/read/page_ids.h"
#include "db/read/rows.h"

namespace pb::db::read {

enum class CoverOrder { kId, kName, kDate, kSubmitter };

// Resolved filters (ids, not names); unset members don't filter.
struct CoverFilter {
  std::optional<std::vector<Id>> projects, series, submitters;
  std::optional<std::string> msgid;  // exact, with <>
  std::optional<Micros> since;       // date >= since
  std::optional<Micros> before;      // date < before
  std::vector<std::string> search;   // every term must occur in name, case-insensitively
  std::vector<std::pair<CoverOrder, bool>> order;  // (key, descending); empty: id
};

int64_t CountCovers(Connection& c, const CoverFilter& f, CountCache* cache, int64_t generation);
// One page, without headers/content. With `embeds`, on PostgreSQL, the
// rows' submitters are kept there for `generation` (for ListCoversAlone).
std::vector<CoverRec> ListCovers(Connection& c, const CoverFilter& f, int64_t limit,
                                 int64_t offset,
                                 OrderedIdCache* ids = nullptr, int64_t generation = -1,
                                 EmbedCache* embeds = nullptr);
// CountCovers' count when `cache` holds it for `generation` (nothing
// runs); nullopt otherwise.
std::optional<int64_t> CachedCoverCount(const CoverFilter& f, const CountCache& cache,
                                        int64_t generation);
// ListCovers' page and the generation by one statement outside any
// transaction (ReadPageAlone; PostgreSQL), for a request that assumes
// `generation`. nullopt: not read. With `embeds`, the statement reads the
// submitter's id only and `embeds` completes it when it holds it at
// `generation`; otherwise a second statement reads it joined, and it is kept.
std::optional<PageAlone<CoverRec>> ListCoversAlone(Connection& c, const CoverFilter& f,
                                                   int64_t limit, int64_t offset,
                                                   OrderedIdCache* ids, int64_t generation,
                                                   EmbedCache* embeds = nullptr);
// One cover with headers and content.
std::optional<CoverRec> GetCover(Connection& c, Id id);

}  // namespace pb::db::read
