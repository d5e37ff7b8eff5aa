#include "api/query.h"

#include <algorithm>
#include <limits>
#include <map>

#include "api/json_writer.h"

namespace pb::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return SanitizeUtf8(out);
}

std::string QuotePlus(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.' || c == '-' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

QueryParams QueryParams::Parse(std::string_view query) {
  QueryParams p;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    p.items_.emplace_back(PercentDecode(name, true), PercentDecode(value, true));
  }
  return p;
}

const std::string* QueryParams::Last(std::string_view name) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::vector<std::string_view> QueryParams::All(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : items_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string QueryParams::Rebuilt(std::string_view name, std::optional<std::string_view> value) const {
  // Python sorts str keys by code point, which is byte order for UTF-8.
  std::map<std::string, std::vector<std::string_view>> grouped;
  for (const auto& [k, v] : items_) {
    if (k == name) continue;
    grouped[k].push_back(v);
  }
  if (value) grouped[std::string(name)] = {*value};
  std::string out;
  for (const auto& [k, values] : grouped) {
    std::string key = QuotePlus(k);
    for (auto v : values) {
      if (!out.empty()) out += '&';
      out += key;
      out += '=';
      out += QuotePlus(v);
    }
  }
  return out;
}

std::optional<int64_t> ParsePyInt(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  bool saturated = false;
  bool prev_digit = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 == s.size()) return std::nullopt;
      prev_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    prev_digit = true;
    if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) saturated = true;
    if (!saturated) v = v * 10 + (c - '0');
  }
  if (saturated) v = std::numeric_limits<int64_t>::max();
  return negative ? -v : v;
}

}  // namespace pb::api
