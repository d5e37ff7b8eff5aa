// Parsing of list query parameters shared by the resources (spec §3.6):
// django-filter's boolean and ISO date fields, DRF's SearchFilter terms and
// OrderingFilter terms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/query.h"
#include "core/time.h"

namespace pb::api {

// A filter value that is unset, valid, or invalid (which empties the list).
template <typename T>
struct Parsed {
  std::optional<T> value;
  bool invalid = false;
};

// BooleanWidget: true/false/1/0 in any case; anything else: filter ignored.
std::optional<bool> BoolFilter(const QueryParams& params, std::string_view name);

// IsoDateTimeFilter: last value; "" means unset; unparseable is invalid.
Parsed<Micros> DateFilter(const QueryParams& params, std::string_view name);

// Last value of a plain text filter; "" means unset.
std::optional<std::string> TextFilter(const QueryParams& params, std::string_view name);

// SearchFilter terms of `q`: NULs removed, commas are spaces, split on whitespace.
std::vector<std::string> SearchTerms(const QueryParams& params);

// Each term becomes a LIKE over the name: SQLite refuses patterns over
// 50,000 bytes and expression trees over 1,000 deep, which answered 500.
// Longer or wider searches are a 400 with this message instead.
inline constexpr size_t kMaxSearchChars = 4000;
inline constexpr size_t kMaxSearchTerms = 100;
std::optional<std::string> SearchLimitError(const QueryParams& params);

// OrderingFilter: the comma-separated `order` terms whose name (without a
// leading '-') is in `valid`, as (name, descending). Empty: use the default.
std::vector<std::pair<std::string, bool>> OrderTerms(const QueryParams& params,
                                                     const std::vector<std::string_view>& valid);

// Python int() of a filter value, for id-or-name lookups.
std::optional<int64_t> FilterInt(std::string_view value);

}  // namespace pb::api
