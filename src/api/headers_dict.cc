#include "api/headers_dict.h"
#include "core/strings.h"

#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace pb::api {
namespace {

// feedparser's headerRE: ^(From |[\041-\071\073-\176]*:|[\t ])
bool IsHeaderLine(std::string_view line) {
  if (line.substr(0, 5) == "From ") return true;
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) return true;
  for (char ch : line) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ':') return true;
    if (c < 041 || c > 0176) return false;
  }
  return false;
}

bool IsBlankLine(std::string_view line) {
  return line == "\n" || line == "\r\n" || line == "\r" || line.empty();
}


}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> ParseHeaderViews(std::string_view text) {
  // Split into lines keeping their endings (\r\n, \r or \n), like NLCRE_crack.
  std::vector<std::string_view> lines;
  size_t pos = 0;
  size_t next_nl = text.find('\n');
  while (pos < text.size()) {
    // find_first_of("\r\n") tests every byte against the set with memchr;
    // stored headers end lines with '\n', so look for that and then for a
    // lone '\r' before it.
    // The next '\n' is remembered, so lines ended by a lone '\r' do not
    // rescan the rest of the text each.
    if (next_nl != std::string_view::npos && next_nl < pos) next_nl = text.find('\n', pos);
    size_t end = next_nl;
    size_t cr = text.substr(0, end == std::string_view::npos ? text.size() : end).find('\r', pos);
    if (cr != std::string_view::npos) end = cr;
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    size_t len = end - pos + 1;
    if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++len;
    lines.push_back(text.substr(pos, len));
    pos += len;
  }
  // Header block: up to the first line that is not a header line.
  size_t block = 0;
  while (block < lines.size() && IsHeaderLine(lines[block]) && !IsBlankLine(lines[block])) ++block;

  // A value is the first line's remainder plus its continuation lines: one
  // contiguous span of `text`, so no copies are needed.
  std::vector<std::pair<std::string_view, std::string_view>> out;
  std::string_view name;
  const char* value_begin = nullptr;
  const char* value_end = nullptr;
  auto finish = [&] {
    if (!value_begin) return;
    std::string_view value(value_begin, static_cast<size_t>(value_end - value_begin));
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
    out.emplace_back(name, value);
    value_begin = nullptr;
  };
  for (size_t n = 0; n < block; ++n) {
    std::string_view line = lines[n];
    if (line[0] == ' ' || line[0] == '\t') {
      if (value_begin) value_end = line.data() + line.size();  // else: leading continuation, dropped
      continue;
    }
    finish();
    if (line.substr(0, 5) == "From ") {
      // A unix-from line (first line) or a misplaced one: not a header.
      if (n == block - 1 && n != 0) break;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == 0) continue;  // "Missing header name" defect: skipped
    name = line.substr(0, colon);
    std::string_view rest = line.substr(colon + 1);
    while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
    value_begin = rest.data();
    value_end = line.data() + line.size();
  }
  finish();
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseHeaderLines(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : ParseHeaderViews(text)) out.emplace_back(name, value);
  return out;
}


void ForEachHeaderEntry(std::string_view text,
                        const std::function<void(std::string_view name,
                                                 const std::vector<std::string_view>& values)>& fn) {
  if (text.empty()) return;
  auto pairs = ParseHeaderViews(text);
  // Python's dict keeps the first spelling of each name in order; get_all()
  // collects values case-insensitively. Hashing keeps this linear in the
  // number of fields: a stored mail may have 100,000 of them.
  const size_t n = pairs.size();
  std::unordered_map<std::string, size_t> group_of;  // lower-cased name -> group
  std::vector<std::vector<std::string_view>> group_values;
  std::vector<size_t> group(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, fresh] = group_of.try_emplace(LowerAscii(pairs[i].first), group_values.size());
    if (fresh) group_values.emplace_back();
    group[i] = it->second;
    group_values[it->second].push_back(pairs[i].second);
  }
  std::unordered_set<std::string_view> spelled;
  for (size_t i = 0; i < n; ++i) {
    if (!spelled.insert(pairs[i].first).second) continue;
    fn(pairs[i].first, group_values[group[i]]);
  }
}

std::vector<HeaderEntry> HeadersDict(std::string_view text) {
  std::vector<HeaderEntry> out;
  ForEachHeaderEntry(text, [&](std::string_view name, const std::vector<std::string_view>& values) {
    out.push_back({std::string(name), std::vector<std::string>(values.begin(), values.end())});
  });
  return out;
}

}  // namespace pb::api
