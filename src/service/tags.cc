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

void SetCounts(db::Connection& conn, db::Id patch_id, bool use_tags,
               const std::vector<std::pair<db::Id, std::string>>& tags,
               const std::vector<std::string>& texts) {
  std::vector<std::pair<db::Id, int>> counts;
  if (use_tags) {
    for (const auto& [id, pattern] : tags) {
      int n = 0;
      for (const auto& t : texts) n += CountTagMatches(pattern, t);
      counts.emplace_back(id, n);
    }
  }
  db::SetPatchTags(conn, patch_id, counts);
}

}  // namespace

void RecountTags(db::Connection& conn, db::Id patch_id, bool use_tags,
                 const std::vector<std::pair<db::Id, std::string>>& tags) {
  SetCounts(conn, patch_id, use_tags, tags,
            use_tags ? db::PatchTexts(conn, patch_id) : std::vector<std::string>{});
}

void RecountTags(db::Connection& conn, const std::map<db::Id, bool>& patches,
                 const std::vector<std::pair<db::Id, std::string>>& tags) {
  std::vector<db::Id> read;
  for (const auto& [id, use_tags] : patches) {
    if (use_tags) read.push_back(id);
  }
  auto texts = db::PatchesTexts(conn, read);
  static const std::vector<std::string> kNone;
  for (const auto& [id, use_tags] : patches) {
    auto it = texts.find(id);
    SetCounts(conn, id, use_tags, tags, it == texts.end() ? kNone : it->second);
  }
}

}  // namespace pb::service
