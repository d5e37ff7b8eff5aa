// Query strings as Django and DRF see them: parse_qsl(keep_blank_values=True)
// to decode, and urlencode(sorted(...), doseq=True) to rebuild the URLs of
// the pagination Link header (spec §3.5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb::api {

class QueryParams {
 public:
  // Splits on '&' only (Python >= 3.9.2), '+' is a space, %XX decoded as
  // UTF-8 with invalid bytes replaced.
  static QueryParams Parse(std::string_view query);

  // QueryDict.get(): the last value for the name, or nullptr.
  const std::string* Last(std::string_view name) const;
  // QueryDict.getlist(): every value in order.
  std::vector<std::string_view> All(std::string_view name) const;
  bool Has(std::string_view name) const { return Last(name) != nullptr; }

  // The query rebuilt as DRF's replace_query_param does: `name` set to
  // `value` (or removed when value is nullopt), names sorted, values of a
  // repeated name in order, everything form-encoded. No leading '?'.
  std::string Rebuilt(std::string_view name, std::optional<std::string_view> value) const;

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// urllib.parse.unquote_plus / unquote.
std::string PercentDecode(std::string_view s, bool plus_is_space);
// urllib.parse.quote_plus (safe: letters, digits, "_.-~").
std::string QuotePlus(std::string_view s);

// Python int(str) for the forms that matter here: surrounding whitespace,
// an optional sign, digits with single underscores between them. Values
// beyond int64 saturate (Python ints are unbounded; callers clamp anyway).
std::optional<int64_t> ParsePyInt(std::string_view s);

}  // namespace pb::api
