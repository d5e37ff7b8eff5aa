// Projects, their maintainers and delegation rules.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// Inserts a project; returns its id. Throws DbError on a uniqueness clash.
Id InsertProject(Connection& c, const ProjectRow& p);
std::vector<ProjectRow> ListProjects(Connection& c);
std::optional<ProjectRow> FindProject(Connection& c, std::string_view id_or_linkname);
// Projects with this list id ordered by linkname (spec §2.5).
std::vector<ProjectRow> FindProjectsByListId(Connection& c, std::string_view listid);

void AddMaintainer(Connection& c, Id project_id, Id user_id);

struct DelegationRule {
  std::string path;  // fnmatch pattern
  Id user_id;
};
// Ordered by -priority, path (spec §2.14).
std::vector<DelegationRule> DelegationRules(Connection& c, Id project_id);
void AddDelegationRule(Connection& c, Id project_id, Id user_id, std::string_view path,
                       int priority);

// The projects `user_id` maintains.
std::set<Id> MaintainedProjectIds(Connection& c, Id user_id);

// A project's editable URL fields (REST /api/projects/{id}/, spec §3.8.1).
// Unset members are left alone; each set member costs one UPDATE.
struct ProjectChanges {
  std::optional<std::string> web_url, scm_url, webscm_url, list_archive_url, list_archive_url_format,
      commit_url_format;
  std::optional<bool> show_dependencies;
};
bool ProjectExists(Connection& c, Id project_id);
void UpdateProjectFields(Connection& c, Id project_id, const ProjectChanges& changes);

}  // namespace pb::db
