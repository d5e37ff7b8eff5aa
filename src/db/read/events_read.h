// Read-side queries for events (spec §1.5, §3.8.11). A page is one statement:
// every payload object is a 1:1 lookup joined to the page's few rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/embed_cache.h"
#include "db/read/page_ids.h"
#include "db/read/rows.h"

namespace pb::db::read {

struct EventFilter {
  std::optional<std::vector<Id>> projects, series, patches, covers;
  std::optional<std::string> category;
  std::optional<Id> actor;
  std::optional<Micros> since, before;
  bool exclude_comment_events = false;  // API versions before 1.3
  bool ascending = false;               // default: newest first
};

int64_t CountEvents(Connection& c, const EventFilter& f, CountCache* cache, int64_t generation);
std::vector<EventRec> ListEvents(Connection& c, const EventFilter& f, int64_t limit,
                                 int64_t offset,
                                 OrderedIdCache* ids = nullptr, int64_t generation = -1,
                                 EmbedCache* embeds = nullptr);

// CountEvents' count when `cache` holds it for `generation` (nothing
// runs); nullopt otherwise.
std::optional<int64_t> CachedEventCount(const EventFilter& f, const CountCache& cache,
                                        int64_t generation);
// ListEvents' page and the generation by one statement outside any
// transaction (ReadPageAlone; PostgreSQL), for a request that assumes
// `generation`. nullopt: not read. With `embeds`, the statement reads the
// ids of the actor, delegates, patch, series and cover only and `embeds`
// completes them when it holds them at `generation`; otherwise a second
// statement reads them joined, and they are kept.
std::optional<PageAlone<EventRec>> ListEventsAlone(Connection& c, const EventFilter& f,
                                                   int64_t limit, int64_t offset,
                                                   OrderedIdCache* ids, int64_t generation,
                                                   EmbedCache* embeds = nullptr);

// --- The event stream (/api/events/stream) ---

// The newest event id, 0 when there are none. One index probe: the SQLite
// server polls it to notice commits by other processes.
Id MaxEventId(Connection& c);

// Up to `limit` events with id > `after` that pass `f`, oldest first (by
// id: writers are serialised, so ids grow in commit order). `f`'s order and
// `before`/`since` apply as in ListEvents.
std::vector<EventRec> EventsAfter(Connection& c, const EventFilter& f, Id after, int64_t limit);

// The same test as ListEvents' WHERE clause, for rows already read (one
// read serves every stream client; each applies its own filter).
bool EventMatches(const EventFilter& f, const EventRec& e);

// Subscribes `c` to commit notifications of new events (PostgreSQL: the
// trigger of migration "Notify event listeners"). False when the backend
// has none (SQLite).
bool ListenForEvents(Connection& c);

// The events with these ids (at most a few hundred), by id: the webhook
// dispatcher renders them as the list does.
std::vector<EventRec> EventsByIds(Connection& c, const std::vector<Id>& ids);

}  // namespace pb::db::read
