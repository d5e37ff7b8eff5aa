// Changing a user's names and profile settings (REST /api/users/{id}/,
// spec §3.8.3) and a project's URL fields (/api/projects/{id}/, §3.8.1).
// Permission checks are the caller's.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

struct UserChanges {
  std::optional<std::string> first_name, last_name;
  std::optional<bool> send_email, show_ids;
  std::optional<int64_t> items_per_page;
};
Status UpdateUser(db::Connection& c, db::Id user_id, const UserChanges& changes);

struct ProjectChanges {
  std::optional<std::string> web_url, scm_url, webscm_url, list_archive_url, list_archive_url_format,
      commit_url_format;
  std::optional<bool> show_dependencies;
};
Status UpdateProject(db::Connection& c, db::Id project_id, const ProjectChanges& changes);

}  // namespace pb::service
