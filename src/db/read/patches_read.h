// Read-side queries for patches: filtered, ordered pages and single patches,
// plus the batched loaders for what a page embeds (check states, related
// patches). A page costs a constant number of statements whatever its size.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/embed_cache.h"
#include "db/read/page_ids.h"
#include "db/read/rows.h"

namespace pb::db::read {

enum class PatchOrder {
  kId, kName, kProject, kDate, kState, kArchived, kSubmitter,
  // The web list's orders (upstream's Order.order_map): by submitter name,
  // by delegate username, and a bundle's own order (PatchFilter::bundle).
  kSubmitterName, kDelegateName, kBundlePosition
};

struct OrderTerm {
  PatchOrder key = PatchOrder::kId;
  bool descending = false;
};

// Resolved filters (ids, not names); unset members don't filter.
struct PatchFilter {
  std::optional<std::vector<Id>> projects, series, submitters, delegates, states;
  std::optional<bool> archived;
  std::optional<std::string> hash;   // compared lower-cased (iexact)
  std::optional<std::string> msgid;  // exact, with <>
  std::optional<Micros> since;       // date >= since
  std::optional<Micros> before;      // date < before
  std::vector<std::string> search;   // every term must occur in name, case-insensitively
  // The web list's text filters (spec §6.2): no delegate at all; submitter
  // name / delegate username containing the text, case-insensitively.
  bool no_delegate = false;
  std::optional<std::string> submitter_name_contains, delegate_username_contains;
  std::optional<Id> bundle;          // only the patches of this bundle
  std::vector<OrderTerm> order;      // empty: by id
  // Set by the name walk (patches_read.cc): the project, state and archived
  // terms are written as +column, so neither SQLite nor PostgreSQL reads
  // them through an index and the submitter / delegate index is used.
  bool by_owner_index = false;
};

// COUNT(*) of the filtered set, served from `cache` while the generation holds.
int64_t CountPatches(Connection& c, const PatchFilter& f, CountCache* cache, int64_t generation);

// One page, without headers/content/diff.
std::vector<PatchRec> ListPatches(Connection& c, const PatchFilter& f, int64_t limit,
                                  int64_t offset,
                                  OrderedIdCache* ids = nullptr, int64_t generation = -1);

// One patch with headers, content and diff.
std::optional<PatchRec> GetPatch(Connection& c, Id id);

// Fills check_state and related for every patch (two statements at most).
void LoadPatchExtras(Connection& c, std::vector<PatchRec*> patches);

// ListPatches and GetPatch with LoadPatchExtras done, the checks read
// together with the rows (Statement::Prefetch): a round trip fewer on
// PostgreSQL.
// With `embeds`, on PostgreSQL, the rows' people, users and series are kept
// there for `generation` (the snapshot's), for ListPatchesAlone.
std::vector<PatchRec> ListPatchesWithExtras(Connection& c, const PatchFilter& f, int64_t limit,
                                            int64_t offset, OrderedIdCache* ids = nullptr,
                                            int64_t generation = -1, EmbedCache* embeds = nullptr);
// `meanwhile` (may be empty) runs after the patch's statements were sent
// and before they are read: its statements (the request's generation) ride
// in the same round trip.
std::optional<PatchRec> GetPatchWithExtras(Connection& c, Id id,
                                           const std::function<void()>& meanwhile = {});

// GetPatchWithExtras and the current data_generation read by ONE statement,
// so that it can run outside any transaction: a single statement is its own
// snapshot, so no BEGIN or ROLLBACK is needed for the patch, its checks, its
// relation and the generation to agree (one message to the server instead of
// a pipeline of BEGIN, three statements and a ROLLBACK). PostgreSQL only
// (ARRAY, LATERAL): it is called where Connection::ReadBeforeSnapshot runs it.
struct PatchAlone {
  int64_t generation = -1;  // set when the patch exists
  std::optional<PatchRec> patch;
};
PatchAlone GetPatchAlone(Connection& c, Id id);
// GetPatchAlone for several patches by ONE statement (its own snapshot:
// every row and the generation agree), keyed by id; an id with no patch has
// no entry. One id runs GetPatchAlone's statement itself. PostgreSQL only.
std::unordered_map<Id, PatchAlone> GetPatchesAlone(Connection& c, const std::vector<Id>& ids);

// CountPatches' count when `cache` holds it for `generation` (nothing
// runs); nullopt otherwise.
std::optional<int64_t> CachedPatchCount(const PatchFilter& f, const CountCache& cache,
                                        int64_t generation);

// ListPatchesWithExtras' page and the generation by one statement outside
// any transaction (ReadPageAlone; PostgreSQL), for a request that assumes
// `generation`: the checks and the relation packed into each row as
// GetPatchAlone packs them. nullopt: not read (a name walk, a deep page
// whose ids are not cached at `generation`, the snapshot already began).
// With `embeds`, the statement reads the submitter, delegate and series ids
// only and `embeds` completes them when it holds them at `generation`;
// otherwise a second statement reads them joined, and they are kept.
std::optional<PageAlone<PatchRec>> ListPatchesAlone(Connection& c, const PatchFilter& f,
                                                    int64_t limit, int64_t offset,
                                                    OrderedIdCache* ids, int64_t generation,
                                                    EmbedCache* embeds = nullptr);

// The patch's project; nullopt when there is no such patch.
std::optional<Id> PatchProjectId(Connection& c, Id patch_id);

}  // namespace pb::db::read
