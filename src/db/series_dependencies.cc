#include "db/series_dependencies.h"

namespace pb::db {

std::optional<Id> SeriesIdByPatchMsgid(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c, "SELECT series_id FROM patches WHERE project_id = ?1 AND msgid = ?2", project_id, msgid);
}

std::optional<Id> SeriesIdByCoverMsgid(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c,
                  "SELECT s.id FROM series s JOIN covers v ON v.id = s.cover_letter_id "
                  "WHERE v.project_id = ?1 AND v.msgid = ?2",
                  project_id, msgid);
}

std::optional<Id> SeriesIdInProject(Connection& c, Id project_id, Id series_id) {
  return QueryInt(c, "SELECT id FROM series WHERE id = ?1 AND project_id = ?2", series_id, project_id);
}

std::optional<Id> SeriesIdOfPatchInProject(Connection& c, Id project_id, Id patch_id) {
  return QueryInt(c, "SELECT series_id FROM patches WHERE id = ?1 AND project_id = ?2", patch_id, project_id);
}

std::optional<Id> SeriesIdOfCoverInProject(Connection& c, Id project_id, Id cover_id) {
  return QueryInt(c, "SELECT id FROM series WHERE cover_letter_id = ?1 AND project_id = ?2", cover_id,
                  project_id);
}

void InsertSeriesDependency(Connection& c, Id series_id, Id depends_on_id) {
  Query(c,
        "INSERT INTO series_dependencies (series_id, depends_on_id) VALUES (?1, ?2) "
        "ON CONFLICT DO NOTHING",
        series_id, depends_on_id)
      .Send();
}

}  // namespace pb::db
