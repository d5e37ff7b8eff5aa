// The patch list's filters (upstream's filters.py, spec §6.2): parsed from
// the query string, resolved to a db::read::PatchFilter, and described for
// the "Show patches with" summary with a URL that removes each one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/query.h"
#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/patches_read.h"

namespace pb::web {

struct AppliedFilter {
  std::string name, condition;
  std::string remove_url;  // "?..." without this filter
  bool forced = false;     // set by the view (to-do list): no remove link
};

class ListFilters {
 public:
  // `forced_delegate`: the to-do view's delegate (forced on); `any_delegate`:
  // the bundle view's (delegate filter forced off).
  ListFilters(db::Connection& c, const db::read::Catalog& catalog, const api::QueryParams& params,
              std::optional<db::read::UserRec> forced_delegate = std::nullopt,
              bool any_delegate = false);

  void Apply(db::read::PatchFilter& f) const;
  std::vector<AppliedFilter> Applied() const;

  // The filters' own query parameters, in upstream's order (series,
  // submitter, state, q, archive, delegate), then `extra` (order/page).
  std::string Query(const std::vector<std::pair<std::string, std::string>>& extra = {}) const;

  // Form state.
  std::optional<db::Id> state_id() const { return state_id_; }
  bool state_any() const { return state_any_; }
  const std::string& search() const { return search_; }
  int archive() const { return archive_; }  // 0 no, 1 yes, 2 both
  std::string submitter_key() const;
  std::string submitter_condition() const;
  std::string delegate_key() const;
  bool delegate_forced() const { return delegate_forced_; }
  std::optional<db::Id> series_id() const { return series_id_; }

 private:
  enum Which { kSeries, kSubmitter, kState, kSearch, kArchive, kDelegate };
  std::vector<std::pair<std::string, std::string>> Params(std::optional<Which> without) const;

  const db::read::Catalog& catalog_;
  std::optional<db::Id> series_id_;
  std::string series_name_;
  std::optional<db::read::PersonRec> person_;
  std::vector<db::Id> person_ids_;
  std::string person_match_;
  std::optional<db::Id> state_id_;
  bool state_any_ = false;
  std::string search_;
  int archive_ = 0;
  std::optional<db::read::UserRec> delegate_;
  std::string delegate_match_;  // "Nobody" or a username fragment
  bool delegate_forced_ = false, delegate_off_ = false;
};

// Python's urllib quote() with safe='/', as the filters build URLs.
std::string UrlQuote(std::string_view s);

}  // namespace pb::web
