#include "db/admin.h"

#include <charconv>

namespace pb::db {

void UpdateProject(Connection& c, const ProjectRow& p) {
  Query(c,
        "UPDATE projects SET linkname = ?1, name = ?2, listid = ?3, listemail = ?4, "
        "subject_match = ?5, web_url = ?6, scm_url = ?7, webscm_url = ?8, list_archive_url = ?9, "
        "list_archive_url_format = ?10, commit_url_format = ?11, send_notifications = ?12, "
        "use_tags = ?13 WHERE id = ?14",
        p.linkname, p.name, p.listid, p.listemail, p.subject_match, p.web_url, p.scm_url,
        p.webscm_url, p.list_archive_url, p.list_archive_url_format, p.commit_url_format,
        p.send_notifications, p.use_tags, p.id)
      .Run();
}

std::optional<std::string> ProjectClash(Connection& c, const ProjectRow& p) {
  Query q(c,
          "SELECT linkname, name, listid, subject_match FROM projects WHERE id <> ?1 AND "
          "(linkname = ?2 OR name = ?3 OR (listid = ?4 AND subject_match = ?5)) LIMIT 1",
          p.id, p.linkname, p.name, p.listid, p.subject_match);
  if (!q.Next()) return std::nullopt;
  if (q.Str(0) == p.linkname) return "project " + q.Str(0) + " already has the linkname " + p.linkname;
  if (q.Str(1) == p.name) return "project " + q.Str(0) + " already has the name '" + p.name + "'";
  return "project " + q.Str(0) + " already has list id " + p.listid +
         (p.subject_match.empty() ? " and no subject match"
                                  : " and subject match '" + p.subject_match + "'");
}

int64_t CountProjectPatches(Connection& c, Id project_id) {
  return QueryInt(c, "SELECT COUNT(*) FROM patches WHERE project_id = ?1", project_id).value_or(0);
}

void DeleteProject(Connection& c, Id project_id) {
  Query(c, "DELETE FROM projects WHERE id = ?1", project_id).Run();
}

std::vector<UserRow> ProjectMaintainers(Connection& c, Id project_id) {
  Query q(c,
          "SELECT u.id, u.username, u.email FROM project_maintainers m "
          "JOIN users u ON u.id = m.user_id WHERE m.project_id = ?1 ORDER BY u.username",
          project_id);
  std::vector<UserRow> out;
  while (q.Next()) {
    UserRow u;
    u.id = q.Int(0);
    u.username = q.Str(1);
    u.email = q.Str(2);
    out.push_back(std::move(u));
  }
  return out;
}

int64_t RemoveMaintainer(Connection& c, Id project_id, Id user_id) {
  return Query(c, "DELETE FROM project_maintainers WHERE project_id = ?1 AND user_id = ?2",
               project_id, user_id)
      .Run();
}

std::vector<DelegationRuleRow> ListDelegationRules(Connection& c, Id project_id) {
  Query q(c,
          "SELECT r.id, r.path, r.user_id, u.username, r.priority FROM delegation_rules r "
          "JOIN users u ON u.id = r.user_id WHERE r.project_id = ?1 "
          "ORDER BY r.priority DESC, r.path",
          project_id);
  std::vector<DelegationRuleRow> out;
  while (q.Next()) out.push_back({q.Int(0), q.Str(1), q.Int(2), q.Str(3), q.Int(4)});
  return out;
}

int64_t RemoveDelegationRule(Connection& c, Id project_id, std::string_view path) {
  return Query(c, "DELETE FROM delegation_rules WHERE project_id = ?1 AND path = ?2", project_id,
               path)
      .Run();
}

int64_t SetDelegationRulePriority(Connection& c, Id project_id, std::string_view path,
                                  int64_t priority) {
  return Query(c, "UPDATE delegation_rules SET priority = ?3 WHERE project_id = ?1 AND path = ?2",
               project_id, path, priority)
      .Run();
}

namespace {

constexpr const char* kStateSelect =
    "SELECT s.id, s.name, s.slug, s.ordering, s.action_required, "
    "(SELECT COUNT(*) FROM patches p WHERE p.state_id = s.id) FROM states s ";

StateRow ReadState(Query& q) {
  return {q.Int(0), q.Str(1), q.Str(2), q.Int(3), q.Int(4) != 0, q.Int(5)};
}

}  // namespace

std::vector<StateRow> ListStates(Connection& c) {
  Query q(c, std::string(kStateSelect) + "ORDER BY s.ordering, s.id");
  std::vector<StateRow> out;
  while (q.Next()) out.push_back(ReadState(q));
  return out;
}

std::optional<StateRow> FindState(Connection& c, std::string_view key) {
  Query q(c, std::string(kStateSelect) + "WHERE s.slug = ?1 OR lower(s.name) = lower(?1) ORDER BY s.id LIMIT 1", key);
  if (q.Next()) return ReadState(q);
  return std::nullopt;
}

Id InsertState(Connection& c, const StateRow& s) {
  return QueryInt(c,
                  "INSERT INTO states (name, slug, ordering, action_required) VALUES (?1, ?2, ?3, ?4) "
                  "RETURNING id",
                  s.name, s.slug, s.ordering, s.action_required)
      .value();
}

void UpdateState(Connection& c, const StateRow& s) {
  Query(c, "UPDATE states SET name = ?1, slug = ?2, ordering = ?3, action_required = ?4 WHERE id = ?5",
        s.name, s.slug, s.ordering, s.action_required, s.id)
      .Run();
}

int64_t MovePatchesToState(Connection& c, Id from, Id to) {
  Query(c, "UPDATE patch_change_notifications SET orig_state_id = ?2 WHERE orig_state_id = ?1", from, to).Run();
  return Query(c, "UPDATE patches SET state_id = ?2 WHERE state_id = ?1", from, to).Run();
}

void DeleteState(Connection& c, Id id) { Query(c, "DELETE FROM states WHERE id = ?1", id).Run(); }

std::vector<TagRow> ListTags(Connection& c) {
  Query q(c, "SELECT id, name, pattern, abbrev, show_column FROM tags ORDER BY abbrev, id");
  std::vector<TagRow> out;
  while (q.Next()) out.push_back({q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Int(4) != 0});
  return out;
}

std::optional<TagRow> FindTag(Connection& c, std::string_view name) {
  Query q(c, "SELECT id, name, pattern, abbrev, show_column FROM tags WHERE lower(name) = lower(?1)", name);
  if (q.Next()) return TagRow{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Int(4) != 0};
  return std::nullopt;
}

Id InsertTag(Connection& c, const TagRow& t) {
  return QueryInt(c,
                  "INSERT INTO tags (name, pattern, abbrev, show_column) VALUES (?1, ?2, ?3, ?4) "
                  "RETURNING id",
                  t.name, t.pattern, t.abbrev, t.show_column)
      .value();
}

void UpdateTag(Connection& c, const TagRow& t) {
  Query(c, "UPDATE tags SET name = ?1, pattern = ?2, abbrev = ?3, show_column = ?4 WHERE id = ?5",
        t.name, t.pattern, t.abbrev, t.show_column, t.id)
      .Run();
}

void DeleteTag(Connection& c, Id id) { Query(c, "DELETE FROM tags WHERE id = ?1", id).Run(); }

void UpdateUser(Connection& c, const UserRow& u) {
  Query(c,
        "UPDATE users SET first_name = ?1, last_name = ?2, email = ?3, is_superuser = ?4, "
        "is_staff = ?5, is_active = ?6 WHERE id = ?7",
        u.first_name, u.last_name, u.email, u.is_superuser, u.is_staff, u.is_active, u.id)
      .Run();
}

UserFootprint UserFootprintOf(Connection& c, Id user_id) {
  UserFootprint f;
  f.delegated = QueryInt(c, "SELECT COUNT(*) FROM patches WHERE delegate_id = ?1", user_id).value_or(0);
  f.checks = QueryInt(c, "SELECT COUNT(*) FROM checks WHERE user_id = ?1", user_id).value_or(0);
  f.bundles = QueryInt(c, "SELECT COUNT(*) FROM bundles WHERE owner_id = ?1", user_id).value_or(0);
  return f;
}

int64_t UndelegateAll(Connection& c, Id user_id) {
  return Query(c, "UPDATE patches SET delegate_id = NULL WHERE delegate_id = ?1", user_id).Run();
}

void DeleteUser(Connection& c, Id user_id) {
  // Events naming the user as a delegate would go with it (CASCADE): keep
  // the history, without the name.
  Query(c, "UPDATE events SET previous_delegate_id = NULL WHERE previous_delegate_id = ?1", user_id).Run();
  Query(c, "UPDATE events SET current_delegate_id = NULL WHERE current_delegate_id = ?1", user_id).Run();
  Query(c, "DELETE FROM users WHERE id = ?1", user_id).Run();
}

void DeleteUserSessions(Connection& c, Id user_id) {
  Query(c, "DELETE FROM sessions WHERE user_id = ?1", user_id).Run();
}

std::vector<PersonAdminRow> ListPeopleAdmin(Connection& c, std::string_view search, int64_t limit) {
  std::string like = "%" + std::string(search) + "%";
  Query q(c,
          "SELECT p.id, p.email, p.name, u.username, "
          "(SELECT COUNT(*) FROM patches pa WHERE pa.submitter_id = p.id) FROM people p "
          "LEFT JOIN users u ON u.id = p.user_id "
          "WHERE ?1 = '' OR lower(p.email) LIKE lower(?2) OR lower(COALESCE(p.name, '')) LIKE lower(?2) "
          "ORDER BY p.id LIMIT ?3",
          search, like, limit);
  std::vector<PersonAdminRow> out;
  while (q.Next()) out.push_back({q.Int(0), q.Str(1), q.OptStr(2), q.OptStr(3), q.Int(4)});
  return out;
}

void SetPersonUser(Connection& c, Id person_id, std::optional<Id> user_id) {
  Query(c, "UPDATE people SET user_id = ?1 WHERE id = ?2", user_id, person_id).Run();
}

void MergePeople(Connection& c, Id from, Id into) {
  for (const char* table : {"patches", "covers", "series", "patch_comments", "cover_comments"}) {
    Query(c, std::string("UPDATE ") + table + " SET submitter_id = ?2 WHERE submitter_id = ?1", from, into).Run();
  }
  Query(c, "DELETE FROM people WHERE id = ?1", from).Run();
}

bool PatchExists(Connection& c, Id id) {
  return QueryInt(c, "SELECT 1 FROM patches WHERE id = ?1", id).has_value();
}
bool CoverExists(Connection& c, Id id) {
  return QueryInt(c, "SELECT 1 FROM covers WHERE id = ?1", id).has_value();
}

void DeletePatch(Connection& c, Id id) { Query(c, "DELETE FROM patches WHERE id = ?1", id).Run(); }

void DeleteCover(Connection& c, Id id) {
  // series.cover_letter_id cascades: keep the series and its patches.
  Query(c, "UPDATE series SET cover_letter_id = NULL WHERE cover_letter_id = ?1", id).Run();
  Query(c, "DELETE FROM covers WHERE id = ?1", id).Run();
}

int64_t DeleteSeries(Connection& c, Id id) {
  auto cover = QueryInt(c, "SELECT cover_letter_id FROM series WHERE id = ?1", id);
  int64_t patches = Query(c, "DELETE FROM patches WHERE series_id = ?1", id).Run();
  Query(c, "DELETE FROM series WHERE id = ?1", id).Run();
  if (cover) Query(c, "DELETE FROM covers WHERE id = ?1", *cover).Run();
  return patches;
}

}  // namespace pb::db
