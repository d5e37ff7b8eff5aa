#include "api/filters.h"
#include "core/strings.h"

#include <algorithm>

namespace pb::api {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}


}  // namespace

std::optional<bool> BoolFilter(const QueryParams& params, std::string_view name) {
  const std::string* v = params.Last(name);
  if (!v) return std::nullopt;
  std::string l = LowerAscii(*v);
  if (l == "true" || l == "1") return true;
  if (l == "false" || l == "0") return false;
  return std::nullopt;
}

Parsed<Micros> DateFilter(const QueryParams& params, std::string_view name) {
  Parsed<Micros> p;
  const std::string* v = params.Last(name);
  if (!v || v->empty()) return p;
  std::string_view s = Strip(*v);
  // Django's parse_datetime needs a time part; a bare date is invalid.
  if (s.size() < 13 || (s[10] != 'T' && s[10] != ' ')) {
    p.invalid = true;
    return p;
  }
  p.value = ParseIsoDate(s);
  if (!p.value) p.invalid = true;
  return p;
}

std::optional<std::string> TextFilter(const QueryParams& params, std::string_view name) {
  const std::string* v = params.Last(name);
  if (!v || v->empty()) return std::nullopt;
  return *v;
}

std::vector<std::string> SearchTerms(const QueryParams& params) {
  std::vector<std::string> terms;
  const std::string* v = params.Last("q");
  if (!v) return terms;
  std::string s;
  for (char c : *v) {
    if (c == '\0') continue;
    s += c == ',' ? ' ' : c;
  }
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) terms.push_back(s.substr(start, i - start));
  }
  return terms;
}

std::optional<std::string> SearchLimitError(const QueryParams& params) {
  const std::string* v = params.Last("q");
  if (!v) return std::nullopt;
  if (v->size() > kMaxSearchChars) {
    return "Search text 'q' is longer than " + std::to_string(kMaxSearchChars) + " characters.";
  }
  if (SearchTerms(params).size() > kMaxSearchTerms) {
    return "Search text 'q' has more than " + std::to_string(kMaxSearchTerms) + " terms.";
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, bool>> OrderTerms(const QueryParams& params,
                                                     const std::vector<std::string_view>& valid) {
  std::vector<std::pair<std::string, bool>> out;
  const std::string* v = params.Last("order");
  if (!v || v->empty()) return out;
  std::string_view rest = *v;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view term = Strip(rest.substr(0, comma));
    bool desc = !term.empty() && term[0] == '-';
    std::string_view name = desc ? term.substr(1) : term;
    if (std::find(valid.begin(), valid.end(), name) != valid.end()) {
      out.emplace_back(std::string(name), desc);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<int64_t> FilterInt(std::string_view value) { return ParsePyInt(value); }

}  // namespace pb::api
