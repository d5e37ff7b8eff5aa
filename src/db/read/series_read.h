// Read-side queries for series (spec §3.8.7): filtered, ordered pages and
// single series, plus the batched loader for what they embed (patches by
// date, dependencies and dependents).
#pragma once

#include <functional>
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

enum class SeriesOrder { kId, kName, kDate, kSubmitter };

struct SeriesFilter {
  std::optional<std::vector<Id>> projects, submitters;
  std::optional<Micros> since;      // date >= since
  std::optional<Micros> before;     // date < before
  std::vector<std::string> search;  // every term must occur in name, case-insensitively
  std::vector<std::pair<SeriesOrder, bool>> order;  // (key, descending); empty: id
};

int64_t CountSeries(Connection& c, const SeriesFilter& f, CountCache* cache, int64_t generation);
// One page with submitter and cover letter; call LoadSeriesExtras for the rest.
std::vector<SeriesRec> ListSeries(Connection& c, const SeriesFilter& f, int64_t limit,
                                  int64_t offset,
                                  OrderedIdCache* ids = nullptr, int64_t generation = -1);
std::optional<SeriesRec> GetSeries(Connection& c, Id id);
// GetSeries with its patches and, when `dependencies(series)` says so, its
// dependencies. `meanwhile` (may be empty) runs after the series' and its
// patches' statements were sent and before they are read: its statements
// (the request's generation) ride in the same round trip on PostgreSQL.
std::optional<SeriesRec> GetSeriesWithExtras(Connection& c, Id id,
                                             const std::function<void()>& meanwhile,
                                             const std::function<bool(const SeriesRec&)>& dependencies);

// GetSeriesWithExtras and the current data_generation read by ONE statement,
// to run outside any transaction (one statement is one snapshot; see
// GetPatchAlone; PostgreSQL only). The dependency links are
// always read and kept aside: whether the view shows them depends on the
// series' project, known only once the row is read; the caller moves them
// into the series when it does. `embeds` (may be null) keeps series'
// patches for one generation: when it keeps this series' at `generation`
// (the one the caller assumes), the statement leaves them out and they come
// from it, and `generation` is -1 unless the statement read that one.
struct SeriesAlone {
  int64_t generation = -1;  // set when the series exists
  std::optional<SeriesRec> series;
  std::vector<Id> dependencies, dependents;
};
SeriesAlone GetSeriesAlone(Connection& c, Id id, EmbedCache* embeds = nullptr,
                           int64_t generation = -1);

// Fills patches (one statement) and, when `dependencies` is set, the
// dependencies and dependents (one more statement).
void LoadSeriesExtras(Connection& c, const std::vector<SeriesRec*>& series, bool dependencies);

}  // namespace pb::db::read
