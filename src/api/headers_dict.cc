#include "api/headers_dict.h"
#include "core/strings.h"

#include <functional>

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
  while (pos < text.size()) {
    // find_first_of("\r\n") tests every byte against the set with memchr;
    // stored headers end lines with '\n', so look for that and then for a
    // lone '\r' before it.
    size_t end = text.find('\n', pos);
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
  // collects values case-insensitively. Names are compared once, lower-cased,
  // into groups (a mail has a few dozen fields: plain loops beat hashing).
  const size_t n = pairs.size();
  std::vector<std::string> lowered(n);
  std::vector<size_t> group(n);
  for (size_t i = 0; i < n; ++i) {
    lowered[i] = LowerAscii(pairs[i].first);
    group[i] = i;
    for (size_t k = 0; k < i; ++k) {
      if (lowered[k] == lowered[i]) {
        group[i] = group[k];
        break;
      }
    }
  }
  std::vector<std::string_view> values;
  for (size_t i = 0; i < n; ++i) {
    bool seen = false;
    for (size_t k = 0; k < i && !seen; ++k) seen = pairs[k].first == pairs[i].first;
    if (seen) continue;
    values.clear();
    for (size_t j = 0; j < n; ++j) {
      if (group[j] == group[i]) values.push_back(pairs[j].second);
    }
    fn(pairs[i].first, values);
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
