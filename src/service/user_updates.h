// Changing a user's names and profile settings (REST /api/users/{id}/,
// spec §3.8.3) and a project's URL fields (/api/projects/{id}/, §3.8.1).
// Permission checks are the caller's.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "db/connection.h"
#include "db/projects.h"
#include "db/records.h"
#include "db/users.h"

namespace pb::service {

using UserChanges = db::UserChanges;  // names, send_email, show_ids, items_per_page
Status UpdateUser(db::Connection& c, db::Id user_id, const UserChanges& changes);

using ProjectChanges = db::ProjectChanges;  // the URL fields, show_dependencies
Status UpdateProject(db::Connection& c, db::Id project_id, const ProjectChanges& changes);

}  // namespace pb::service
