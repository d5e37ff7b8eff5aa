#include "api/headers_dict.h"

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

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseHeaderLines(std::string_view text) {
  // Split into lines keeping their endings (\r\n, \r or \n), like NLCRE_crack.
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
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
  std::vector<std::string_view> block;
  for (auto line : lines) {
    if (!IsHeaderLine(line) || IsBlankLine(line)) break;
    block.push_back(line);
  }

  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string_view> current;
  auto finish = [&] {
    if (current.empty()) return;
    std::string_view first = current[0];
    size_t colon = first.find(':');
    std::string name(first.substr(0, colon));
    std::string_view rest = first.substr(colon + 1);
    while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
    std::string value(rest);
    for (size_t i = 1; i < current.size(); ++i) value += current[i];
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    out.emplace_back(std::move(name), std::move(value));
    current.clear();
  };
  for (size_t n = 0; n < block.size(); ++n) {
    std::string_view line = block[n];
    if (line[0] == ' ' || line[0] == '\t') {
      if (!current.empty()) current.push_back(line);  // else: leading continuation, dropped
      continue;
    }
    finish();
    if (line.substr(0, 5) == "From ") {
      // A unix-from line (first line) or a misplaced one: not a header.
      if (n == block.size() - 1 && n != 0) break;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == 0) continue;  // "Missing header name" defect: skipped
    current.push_back(line);
  }
  finish();
  return out;
}

std::vector<HeaderEntry> HeadersDict(std::string_view text) {
  std::vector<HeaderEntry> out;
  if (text.empty()) return out;
  auto pairs = ParseHeaderLines(text);
  std::vector<std::string> lower;
  lower.reserve(pairs.size());
  for (const auto& p : pairs) lower.push_back(ToLower(p.first));
  for (size_t i = 0; i < pairs.size(); ++i) {
    bool seen = false;
    for (const auto& e : out) {
      if (e.name == pairs[i].first) {
        seen = true;
        break;
      }
    }
    if (seen) continue;
    HeaderEntry e{pairs[i].first, {}};
    for (size_t j = 0; j < pairs.size(); ++j) {
      if (lower[j] == lower[i]) e.values.push_back(pairs[j].second);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace pb::api
