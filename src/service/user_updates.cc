#include "service/user_updates.h"

#include "db/mail_store.h"

namespace pb::service {
namespace {

template <typename T>
void Set(db::Connection& c, const char* sql, const std::optional<T>& v, db::Id id) {
  if (v) db::Query(c, sql, *v, id).Run();
}

}  // namespace

Status UpdateUser(db::Connection& c, db::Id user_id, const UserChanges& ch) {
  try {
    db::Transaction tx(c);
    if (!db::QueryInt(c, "SELECT id FROM users WHERE id = ?1", user_id)) {
      return Status::NotFound("no user " + std::to_string(user_id));
    }
    Set(c, "UPDATE users SET first_name = ?1 WHERE id = ?2", ch.first_name, user_id);
    Set(c, "UPDATE users SET last_name = ?1 WHERE id = ?2", ch.last_name, user_id);
    Set(c, "UPDATE users SET send_email = ?1 WHERE id = ?2", ch.send_email, user_id);
    Set(c, "UPDATE users SET show_ids = ?1 WHERE id = ?2", ch.show_ids, user_id);
    Set(c, "UPDATE users SET items_per_page = ?1 WHERE id = ?2", ch.items_per_page, user_id);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

Status UpdateProject(db::Connection& c, db::Id project_id, const ProjectChanges& ch) {
  try {
    db::Transaction tx(c);
    if (!db::QueryInt(c, "SELECT id FROM projects WHERE id = ?1", project_id)) {
      return Status::NotFound("no project " + std::to_string(project_id));
    }
    Set(c, "UPDATE projects SET web_url = ?1 WHERE id = ?2", ch.web_url, project_id);
    Set(c, "UPDATE projects SET scm_url = ?1 WHERE id = ?2", ch.scm_url, project_id);
    Set(c, "UPDATE projects SET webscm_url = ?1 WHERE id = ?2", ch.webscm_url, project_id);
    Set(c, "UPDATE projects SET list_archive_url = ?1 WHERE id = ?2", ch.list_archive_url, project_id);
    Set(c, "UPDATE projects SET list_archive_url_format = ?1 WHERE id = ?2", ch.list_archive_url_format,
        project_id);
    Set(c, "UPDATE projects SET commit_url_format = ?1 WHERE id = ?2", ch.commit_url_format, project_id);
    Set(c, "UPDATE projects SET show_dependencies = ?1 WHERE id = ?2", ch.show_dependencies, project_id);
    db::BumpGeneration(c);
    tx.Commit();
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

}  // namespace pb::service
