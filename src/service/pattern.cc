#include "service/pattern.h"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace pb::service {
namespace {

// Patterns come from a handful of project and tag rows, and an archive
// import applies them to every mail: compile each once per thread.
const RE2& Compiled(std::string_view pattern) {
  thread_local std::unordered_map<std::string, std::unique_ptr<RE2>> cache;
  auto it = cache.find(std::string(pattern));
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 256) cache.clear();  // patterns are rows, not input: rarely reached
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  o.set_max_mem(8 << 20);
  // (?m): ^ and $ at line breaks, as re.M.
  auto re = std::make_unique<RE2>("(?m)" + std::string(pattern), o);
  return *cache.emplace(std::string(pattern), std::move(re)).first->second;
}

}  // namespace

bool PatternSearch(std::string_view pattern, std::string_view text) {
  const RE2& re = Compiled(pattern);
  if (!re.ok()) return false;
  return RE2::PartialMatch(text.substr(0, kMaxSubjectExamined), re);
}

int PatternCountPerLine(std::string_view pattern, std::string_view text) {
  const RE2& re = Compiled(pattern);
  if (!re.ok()) return 0;
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    size_t at = 0;
    re2::StringPiece m;
    while (at <= line.size() &&
           re.Match(re2::StringPiece(line.data(), line.size()), at, line.size(), RE2::UNANCHORED, &m, 1)) {
      ++n;
      size_t next = static_cast<size_t>(m.data() - line.data()) + m.size();
      at = m.empty() ? next + 1 : next;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return n;
}

}  // namespace pb::service
