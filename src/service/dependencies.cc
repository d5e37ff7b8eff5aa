#include "service/dependencies.h"

#include "core/strings.h"
#include "db/series_dependencies.h"

#include <cctype>
#include <charconv>
#include <optional>

namespace pb::service {
namespace {


std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The URL character class of upstream's pattern: [\w\d\-.\/=&@:%?_\+()]
bool UrlChar(unsigned char ch) {
  return std::isalnum(ch) || ch >= 0x80 || std::string_view("-./=&@:%?_+()").find(ch) != std::string_view::npos;
}



std::optional<db::Id> SeriesOfMsgid(db::Connection& c, db::Id project_id, const std::string& msgid) {
  if (auto s = db::SeriesIdByPatchMsgid(c, project_id, msgid)) return s;
  return db::SeriesIdByCoverMsgid(c, project_id, msgid);
}

std::optional<db::Id> ResolveUrl(db::Connection& c, db::Id project_id, std::string_view url) {
  size_t q = url.find('?');
  if (q != std::string_view::npos) {
    std::string_view query = url.substr(q + 1);
    for (size_t pos = 0; pos < query.size();) {
      size_t amp = query.find('&', pos);
      std::string_view kv = query.substr(pos, amp == std::string_view::npos ? query.npos : amp - pos);
      if (kv.starts_with("series=")) {
        if (auto id = ParseId(kv.substr(7))) {
          return db::SeriesIdInProject(c, project_id, *id);
        }
      }
      if (amp == std::string_view::npos) break;
      pos = amp + 1;
    }
    url = url.substr(0, q);
  }
  // .../patch/<id>/ or .../project/<linkname>/patch/<msgid>/ (or cover)
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  size_t slash = url.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view last = url.substr(slash + 1);
  std::string_view rest = url.substr(0, slash);
  size_t kind_at = rest.rfind('/');
  std::string_view kind = kind_at == std::string_view::npos ? rest : rest.substr(kind_at + 1);
  if (kind != "patch" && kind != "cover") return std::nullopt;
  if (auto id = ParseId(last)) {
    return kind == "patch" ? db::SeriesIdOfPatchInProject(c, project_id, *id)
                           : db::SeriesIdOfCoverInProject(c, project_id, *id);
  }
  return SeriesOfMsgid(c, project_id, "<" + ReplaceAll(std::string(last), "%2F", "/") + ">");
}

}  // namespace

std::vector<DependencyRef> ParseDependsOn(std::string_view content) {
  std::vector<DependencyRef> out;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    std::string_view line = content.substr(pos, end == std::string_view::npos ? content.npos : end - pos);
    pos = end == std::string_view::npos ? content.size() : end + 1;
    if (!StartsWithNoCase(line, "depends-on: ")) continue;
    std::string_view value = TrimRight(line.substr(12));
    if (value.size() > 2 && value.front() == '<' && value.back() == '>' &&
        value.find('>') == value.size() - 1) {
      out.push_back({false, std::string(value)});
      continue;
    }
    if (StartsWithNoCase(value, "http://") || StartsWithNoCase(value, "https://")) {
      bool ok = true;
      for (unsigned char ch : value) ok = ok && UrlChar(ch);
      if (ok) out.push_back({true, std::string(value)});
    }
  }
  return out;
}

void RecordDependencies(db::Connection& c, db::Id project_id, db::Id series_id,
                        std::string_view content) {
  for (const auto& ref : ParseDependsOn(content)) {
    std::optional<db::Id> dep = ref.is_url ? ResolveUrl(c, project_id, ref.value)
                                           : SeriesOfMsgid(c, project_id, ref.value);
    if (!dep || *dep == series_id) continue;
    db::InsertSeriesDependency(c, series_id, *dep);
  }
}

}  // namespace pb::service
