// The people, users and series a patch list page embeds, kept for one data
// generation. A page's rows name few of them (30 rows of the 1M benchmark's
// page 1: 6 submitters, 6 series, one or two delegates), yet reading them
// with the rows costs PostgreSQL a key look-up per row and table: a third
// of the server's time per page (docs/performance.md §9n, §9p). Kept here,
// a page's statement reads only their ids. Exact as the catalog is: what
// was read at generation G is what every reader of G sees, since every
// writer bumps data_generation in its transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/read/rows.h"

namespace pb::db::read {

class EmbedCache {
 public:
  // Entries per kind; past it a kind starts over (a bound, not an LRU: a
  // generation's pages rarely name that many).
  explicit EmbedCache(size_t max_per_kind = size_t{1} << 16) : max_per_kind_(max_per_kind) {}

  // Completes the embedded records of `rows`, whose ids only are set (a
  // patch's submitter, delegate and series; a cover's submitter; an event's
  // actor, delegates, patch, series and cover), from what was kept for
  // `generation`. False (rows partly filled, to be dropped) when something
  // is not kept for it.
  bool Fill(int64_t generation, std::vector<PatchRec>& rows) const;
  bool Fill(int64_t generation, std::vector<CoverRec>& rows) const;
  bool Fill(int64_t generation, std::vector<EventRec>& rows) const;

  // Keeps those records of `rows`, read at `generation`. A newer
  // generation drops everything older; an older one is not kept.
  void Keep(int64_t generation, const std::vector<PatchRec>& rows);
  void Keep(int64_t generation, const std::vector<CoverRec>& rows);
  void Keep(int64_t generation, const std::vector<EventRec>& rows);

  // A patch's check_state (the summary of its checks that a list row
  // shows), kept the same way: on a deep page of the 1M benchmark the
  // checks were 43 % of the server's statement (§9s). KeepsCheckStates:
  // whether every patch of `ids` has one kept for `generation`, so that a
  // page whose ids are known before its statement is sent can leave the
  // checks out of it; FillCheckStates then sets them (false when one is
  // missing); KeepCheckStates keeps those of rows read with their checks.
  bool KeepsCheckStates(int64_t generation, const std::vector<Id>& ids) const;
  bool FillCheckStates(int64_t generation, std::vector<PatchRec>& rows) const;
  void KeepCheckStates(int64_t generation, const std::vector<PatchRec>& rows);
  // The ids of a shallow page (one not read from the id cache) served at
  // `generation`, by the page's key (its ids' statement, arguments, limit
  // and offset): at one generation the page is the same, so a repeated
  // page knows its ids before its statement and can leave the checks out
  // as a deep page does (page 1's checks were half of its statement, §9u).
  std::optional<std::vector<Id>> PageIds(int64_t generation, const std::string& page) const;
  void KeepPageIds(int64_t generation, const std::string& page, std::vector<Id> ids);

  // A series' patches (their refs, by date), kept the same way: packing a
  // 30-patch series' refs into its detail's statement was a quarter of the
  // server's work for that request (§9u). KeepsSeriesPatches: whether the
  // series' patch list and every ref in it are kept for `generation`, so
  // that the detail's statement can leave the patches out;
  // FillSeriesPatches then sets them (false when something is missing);
  // KeepSeriesPatches keeps those of a series read with its patches.
  bool KeepsSeriesPatches(int64_t generation, Id series) const;
  bool FillSeriesPatches(int64_t generation, SeriesRec& s) const;
  void KeepSeriesPatches(int64_t generation, const SeriesRec& s);

  // A cover's series (the one whose cover letter it is, or none), kept the
  // same way and used as the check states are: a deep cover page leaves
  // the series' look-up out of its statement when all are kept (§9u).
  bool KeepsCoverSeries(int64_t generation, const std::vector<Id>& covers) const;
  bool FillCoverSeries(int64_t generation, std::vector<CoverRec>& rows) const;
  void KeepCoverSeries(int64_t generation, const std::vector<CoverRec>& rows);

  // An event's created check and cover and patch comments (or none), kept
  // the same way: a deep events page then leaves their three joins out.
  bool KeepsEventLinks(int64_t generation, const std::vector<Id>& events) const;
  bool FillEventLinks(int64_t generation, std::vector<EventRec>& rows) const;
  void KeepEventLinks(int64_t generation, const std::vector<EventRec>& rows);

 private:
  struct EventLinks {
    std::optional<CheckRec> check;
    std::optional<CommentRef> cover_comment, patch_comment;
  };
  struct Store {
    int64_t generation = -1;
    std::unordered_map<Id, PersonRec> people;
    std::unordered_map<Id, UserRec> users;
    std::unordered_map<Id, SeriesRef> series;
    std::unordered_map<Id, PatchRef> patches;
    std::unordered_map<Id, CoverRef> covers;
    std::unordered_map<Id, std::string> check_states;
    std::unordered_map<Id, std::vector<Id>> series_patches;  // by date, as SeriesRec::patches
    std::unordered_map<Id, std::optional<SeriesRef>> cover_series;
    std::unordered_map<Id, EventLinks> event_links;
    std::unordered_map<std::string, std::vector<Id>> page_ids;
  };
  // The store for `generation` (emptied when it is newer), or null when
  // `generation` is older than what is kept.
  // Whether the store holds `generation` (readers may use it only then).
  bool At(int64_t generation) const;
  Store* StoreFor(int64_t generation);
  // map[row.id] = make(row) for every row, within the bound of a kind.
  template <typename Value, typename Row, typename Make>
  void KeepEach(std::unordered_map<Id, Value>& map, const std::vector<Row>& rows, Make make);
  template <typename Rec>
  void Put(std::unordered_map<Id, Rec>& map, const Rec& rec);
  // The refs of `ids` from `s`, or false when one is not kept.
  static bool PatchRefs(const Store& s, const std::vector<Id>& ids, std::vector<PatchRef>* out);
  const size_t max_per_kind_;
  mutable std::mutex mu_;
  Store store_;
};

}  // namespace pb::db::read
