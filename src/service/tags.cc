#include <cctype>
#include <unordered_map>

#include "db/mail_store.h"
#include "db/read/patches_read.h"
#include "core/strings.h"
#include "service/ingest.h"
#include "service/pattern.h"

namespace pb::service {
namespace {

bool IsPlainLiteral(std::string_view s) {
  for (char ch : s) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == ':' || ch == ' ' || ch == '_';
    if (!ok) return false;
  }
  return true;
}


}  // namespace

// The default tags are "^Name:" which we count line by line; anything else
// goes through RE2 (service/pattern.h), applied per line to emulate MULTILINE.
int CountTagMatches(std::string_view pattern, std::string_view text) {
  if (pattern.size() > 1 && pattern[0] == '^' && IsPlainLiteral(pattern.substr(1))) {
    std::string_view literal = pattern.substr(1);
    int n = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
      if (StartsWithNoCase(line, literal)) ++n;
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
    return n;
  }
  return PatternCountPerLine(pattern, text);
}

void RecountTags(db::Connection& conn, db::Id patch_id) {
  auto project = db::read::PatchProjectId(conn, patch_id);
  if (!project) return;
  std::vector<std::pair<db::Id, std::string>> tags;
  bool use_tags = db::ProjectUsesTags(conn, *project);
  if (use_tags) {
    for (auto& t : db::Tags(conn)) tags.emplace_back(t.id, std::move(t.pattern));
  }
  RecountTags(conn, patch_id, use_tags, tags);
}

namespace {

// The patch's counts by tag from the tags' matches `n` (one per tag, in
// order; none at all when the project does not use tags).
std::vector<std::pair<db::Id, int>> TagCounts(bool use_tags,
                                              const std::vector<std::pair<db::Id, std::string>>& tags,
                                              const std::vector<int>& n) {
  std::vector<std::pair<db::Id, int>> counts;
  if (use_tags) {
    for (size_t i = 0; i < tags.size(); ++i) counts.emplace_back(tags[i].first, n.empty() ? 0 : n[i]);
  }
  return counts;
}

// Sets the patch's counts from the tags' matches `n`.
void SetCounts(db::Connection& conn, db::Id patch_id, bool use_tags,
               const std::vector<std::pair<db::Id, std::string>>& tags, const std::vector<int>& n) {
  db::SetPatchTags(conn, patch_id, TagCounts(use_tags, tags, n));
}

}  // namespace

// With only "^Literal" tags (the defaults) the text's lines are walked once
// for all of them, instead of once per tag as CountTagMatches would: a
// reply's recount reads every text of its patch, so this ran over the
// patch's whole thread three times.
void AddTagMatches(const std::vector<std::pair<db::Id, std::string>>& tags, std::string_view text,
                   std::vector<int>& counts) {
  bool literal = true;
  for (const auto& [id, pattern] : tags) {
    literal = literal && pattern.size() > 1 && pattern[0] == '^' &&
              IsPlainLiteral(std::string_view(pattern).substr(1));
  }
  if (!literal) {
    for (size_t i = 0; i < tags.size(); ++i) counts[i] += CountTagMatches(tags[i].second, text);
    return;
  }
  // Most lines start with none of the tags' first letters (either case):
  // those are passed over without a call per tag.
  bool first[256] = {};
  for (const auto& [id, pattern] : tags) {
    auto c = static_cast<unsigned char>(pattern[1]);
    first[c] = first[std::tolower(c)] = first[std::toupper(c)] = true;
  }
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    for (size_t i = 0; !line.empty() && first[static_cast<unsigned char>(line[0])] && i < tags.size(); ++i) {
      if (StartsWithNoCase(line, std::string_view(tags[i].second).substr(1))) ++counts[i];
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
}

void RecountTags(db::Connection& conn, db::Id patch_id, bool use_tags,
                 const std::vector<std::pair<db::Id, std::string>>& tags) {
  std::vector<int> n(tags.size(), 0);
  if (use_tags) {
    db::ForEachPatchText(conn, patch_id, [&](std::string_view text) { AddTagMatches(tags, text, n); });
  }
  SetCounts(conn, patch_id, use_tags, tags, n);
}

void RecountTags(db::Connection& conn, const std::map<db::Id, bool>& patches,
                 const std::vector<std::pair<db::Id, std::string>>& tags,
                 const std::unordered_map<db::Id, std::vector<int>>& counted) {
  std::vector<db::Id> read;
  for (const auto& [id, use_tags] : patches) {
    if (use_tags && !counted.contains(id)) read.push_back(id);
  }
  std::unordered_map<db::Id, std::vector<int>> matches;
  db::ForEachPatchesText(conn, read, [&](db::Id id, std::string_view text) {
    auto& n = matches[id];
    if (n.empty()) n.assign(tags.size(), 0);
    AddTagMatches(tags, text, n);
  });
  static const std::vector<int> kNone;
  std::vector<std::pair<db::Id, std::vector<std::pair<db::Id, int>>>> counts;
  for (const auto& [id, use_tags] : patches) {
    const std::vector<int>* n = &kNone;
    if (auto known = counted.find(id); use_tags && known != counted.end()) {
      n = &known->second;
    } else if (auto it = matches.find(id); it != matches.end()) {
      n = &it->second;
    }
    counts.emplace_back(id, TagCounts(use_tags, tags, *n));
  }
  db::SetPatchesTags(conn, counts);
}

}  // namespace pb::service
