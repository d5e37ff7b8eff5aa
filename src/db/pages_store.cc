#include "db/pages_store.h"

namespace pb::db {

std::map<Id, std::map<Id, int>> TagCounts(Connection& c, const std::vector<Id>& patch_ids) {
  std::map<Id, std::map<Id, int>> out;
  if (patch_ids.empty()) return out;
  Query q(c, "SELECT patch_id, tag_id, count FROM patch_tags WHERE patch_id IN (" +
                 IdListPlaceholders(patch_ids.size(), 1) + ")");
  BindIdList(q, patch_ids, 1);
  while (q.Next()) out[q.Int(0)][q.Int(1)] = static_cast<int>(q.Int(2));
  return out;
}

std::map<Id, std::array<int, 4>> CheckCounts(Connection& c, const std::vector<Id>& patch_ids) {
  std::map<Id, std::array<int, 4>> out;
  if (patch_ids.empty()) return out;
  Query q(c,
          "SELECT k.patch_id, k.state FROM checks k WHERE k.patch_id IN (" +
              IdListPlaceholders(patch_ids.size(), 1) +
              ") AND NOT EXISTS (SELECT 1 FROM checks n WHERE n.patch_id = k.patch_id "
              "AND n.user_id = k.user_id AND n.context = k.context "
              "AND (n.date > k.date OR (n.date = k.date AND n.id > k.id)))");
  BindIdList(q, patch_ids, 1);
  while (q.Next()) {
    int64_t state = q.Int(1);
    if (state >= 0 && state < 4) ++out[q.Int(0)][static_cast<size_t>(state)];
  }
  return out;
}

std::optional<Id> PatchIdByProjectMsgid(Connection& c, std::string_view linkname, std::string_view msgid) {
  return QueryInt(c,
                  "SELECT p.id FROM patches p JOIN projects pr ON pr.id = p.project_id "
                  "WHERE pr.linkname = ?1 AND p.msgid = ?2",
                  linkname, msgid);
}

std::optional<Id> CoverIdByProjectMsgid(Connection& c, std::string_view linkname, std::string_view msgid) {
  return QueryInt(c,
                  "SELECT v.id FROM covers v JOIN projects pr ON pr.id = v.project_id "
                  "WHERE pr.linkname = ?1 AND v.msgid = ?2",
                  linkname, msgid);
}

namespace {

std::vector<PageComment> Comments(Connection& c, const char* sql, Id parent) {
  Query q(c, sql, parent);
  std::vector<PageComment> out;
  while (q.Next()) {
    PageComment m;
    m.id = q.Int(0);
    m.msgid = q.Str(1);
    m.date = q.Int(2);
    m.submitter_name = q.OptStr(3);
    m.submitter_email = q.Str(4);
    m.content = q.OptStr(5).value_or("");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::vector<PageComment> PatchComments(Connection& c, Id patch_id) {
  return Comments(c,
                  "SELECT m.id, m.msgid, m.date, pe.name, pe.email, m.content FROM patch_comments m "
                  "JOIN people pe ON pe.id = m.submitter_id WHERE m.patch_id = ?1 ORDER BY m.date, m.id",
                  patch_id);
}

std::vector<PageComment> CoverComments(Connection& c, Id cover_id) {
  return Comments(c,
                  "SELECT m.id, m.msgid, m.date, pe.name, pe.email, m.content FROM cover_comments m "
                  "JOIN people pe ON pe.id = m.submitter_id WHERE m.cover_id = ?1 ORDER BY m.date, m.id",
                  cover_id);
}

std::optional<PageCover> GetCover(Connection& c, Id cover_id) {
  Query q(c,
          "SELECT v.id, v.name, v.msgid, v.headers, pr.linkname, v.content, pe.name, pe.email, v.date, "
          "s.id FROM covers v JOIN projects pr ON pr.id = v.project_id "
          "JOIN people pe ON pe.id = v.submitter_id LEFT JOIN series s ON s.cover_letter_id = v.id "
          "WHERE v.id = ?1",
          cover_id);
  if (!q.Next()) return std::nullopt;
  PageCover v;
  v.id = q.Int(0);
  v.name = q.Str(1);
  v.msgid = q.Str(2);
  v.headers = q.Str(3);
  v.linkname = q.Str(4);
  v.content = q.OptStr(5);
  v.submitter_name = q.OptStr(6);
  v.submitter_email = q.Str(7);
  v.date = q.Int(8);
  v.series_id = q.OptInt(9);
  return v;
}

std::vector<SeriesPatchLink> SeriesPatches(Connection& c, Id series_id) {
  Query q(c, "SELECT id, name, msgid, number FROM patches WHERE series_id = ?1 ORDER BY number, id",
          series_id);
  std::vector<SeriesPatchLink> out;
  while (q.Next()) {
    SeriesPatchLink l;
    l.id = q.Int(0);
    l.name = q.Str(1);
    l.msgid = q.Str(2);
    if (auto n = q.OptInt(3)) l.number = static_cast<int>(*n);
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace pb::db
