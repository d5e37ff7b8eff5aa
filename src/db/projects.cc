#include "db/projects.h"

#include <charconv>

namespace pb::db {
namespace {

constexpr std::string_view kColumns =
    "id, linkname, name, listid, listemail, subject_match, web_url, scm_url, webscm_url, "
    "list_archive_url, list_archive_url_format, commit_url_format, send_notifications, use_tags";

ProjectRow Read(Query& q) {
  ProjectRow p;
  p.id = q.Int(0);
  p.linkname = q.Str(1);
  p.name = q.Str(2);
  p.listid = q.Str(3);
  p.listemail = q.Str(4);
  p.subject_match = q.Str(5);
  p.web_url = q.Str(6);
  p.scm_url = q.Str(7);
  p.webscm_url = q.Str(8);
  p.list_archive_url = q.Str(9);
  p.list_archive_url_format = q.Str(10);
  p.commit_url_format = q.Str(11);
  p.send_notifications = q.Int(12) != 0;
  p.use_tags = q.Int(13) != 0;
  return p;
}

std::vector<ProjectRow> ReadAll(Query& q) {
  std::vector<ProjectRow> out;
  while (q.Next()) out.push_back(Read(q));
  return out;
}

}  // namespace

Id InsertProject(Connection& c, const ProjectRow& p) {
  return QueryInt(c,
                  "INSERT INTO projects (linkname, name, listid, listemail, subject_match, web_url, "
                  "scm_url, webscm_url, list_archive_url, list_archive_url_format, "
                  "commit_url_format, send_notifications, use_tags) VALUES "
                  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
                  p.linkname, p.name, p.listid, p.listemail, p.subject_match, p.web_url, p.scm_url,
                  p.webscm_url, p.list_archive_url, p.list_archive_url_format,
                  p.commit_url_format, p.send_notifications, p.use_tags)
      .value();
}

std::vector<ProjectRow> ListProjects(Connection& c) {
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM projects ORDER BY linkname";
  Query q(c, sql);
  return ReadAll(q);
}

std::optional<ProjectRow> FindProject(Connection& c, std::string_view key) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (ec == std::errc() && ptr == key.data() + key.size()) {
    static const std::string sql = "SELECT " + std::string(kColumns) + " FROM projects WHERE id = ?1";
    Query q(c, sql, id);
    if (q.Next()) return Read(q);
  }
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM projects WHERE linkname = ?1";
  Query q(c, sql, key);
  if (q.Next()) return Read(q);
  return std::nullopt;
}

std::vector<ProjectRow> FindProjectsByListId(Connection& c, std::string_view listid) {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM projects WHERE listid = ?1 ORDER BY linkname";
  Query q(c, sql, listid);
  return ReadAll(q);
}

void AddMaintainer(Connection& c, Id project_id, Id user_id) {
  Query(c,
        "INSERT INTO project_maintainers (user_id, project_id) VALUES (?1, ?2) "
        "ON CONFLICT DO NOTHING",
        user_id, project_id)
      .Run();
}

std::vector<DelegationRule> DelegationRules(Connection& c, Id project_id) {
  Query q(c,
          "SELECT path, user_id FROM delegation_rules WHERE project_id = ?1 "
          "ORDER BY priority DESC, path",
          project_id);
  std::vector<DelegationRule> out;
  while (q.Next()) out.push_back({q.Str(0), q.Int(1)});
  return out;
}

void AddDelegationRule(Connection& c, Id project_id, Id user_id, std::string_view path,
                       int priority) {
  Query(c,
        "INSERT INTO delegation_rules (project_id, user_id, path, priority) "
        "VALUES (?1, ?2, ?3, ?4)",
        project_id, user_id, path, priority)
      .Run();
}

std::set<Id> MaintainedProjectIds(Connection& c, Id user_id) {
  std::set<Id> ids;
  Query q(c, "SELECT project_id FROM project_maintainers WHERE user_id = ?1", user_id);
  while (q.Next()) ids.insert(q.Int(0));
  return ids;
}

bool ProjectExists(Connection& c, Id project_id) {
  return QueryInt(c, "SELECT id FROM projects WHERE id = ?1", project_id).has_value();
}

namespace {
template <typename T>
void SetIf(Connection& c, std::string_view sql, const std::optional<T>& v, Id id) {
  if (v) Query(c, sql, *v, id).Run();
}
}  // namespace

void UpdateProjectFields(Connection& c, Id project_id, const ProjectChanges& ch) {
  SetIf(c, "UPDATE projects SET web_url = ?1 WHERE id = ?2", ch.web_url, project_id);
  SetIf(c, "UPDATE projects SET scm_url = ?1 WHERE id = ?2", ch.scm_url, project_id);
  SetIf(c, "UPDATE projects SET webscm_url = ?1 WHERE id = ?2", ch.webscm_url, project_id);
  SetIf(c, "UPDATE projects SET list_archive_url = ?1 WHERE id = ?2", ch.list_archive_url, project_id);
  SetIf(c, "UPDATE projects SET list_archive_url_format = ?1 WHERE id = ?2", ch.list_archive_url_format,
        project_id);
  SetIf(c, "UPDATE projects SET commit_url_format = ?1 WHERE id = ?2", ch.commit_url_format, project_id);
  SetIf(c, "UPDATE projects SET show_dependencies = ?1 WHERE id = ?2", ch.show_dependencies, project_id);
}

}  // namespace pb::db
