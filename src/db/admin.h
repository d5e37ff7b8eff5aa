// What upstream's admin site edits, for the `patchbay` admin subcommands
// and the superuser's project pages: projects, maintainers, delegation
// rules, states, tags, users, people, and deleting spam. Callers check
// conflicts first (db/admin.h answers the questions) so users see a clear
// message rather than a constraint error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/mbox_store.h"  // SeriesExists
#include "db/records.h"

namespace pb::db {

// Projects: every column of ProjectRow, by id.
void UpdateProject(Connection& c, const ProjectRow& p);
// Another project with this linkname or name (the unique columns), or with
// this (listid, subject_match) pair.
std::optional<std::string> ProjectClash(Connection& c, const ProjectRow& p);
int64_t CountProjectPatches(Connection& c, Id project_id);
void DeleteProject(Connection& c, Id project_id);
std::vector<UserRow> ProjectMaintainers(Connection& c, Id project_id);
int64_t RemoveMaintainer(Connection& c, Id project_id, Id user_id);

struct DelegationRuleRow {
  Id id = 0;
  std::string path;
  Id user_id = 0;
  std::string username;
  int64_t priority = 0;
};
// Ordered as they apply: -priority, then path.
std::vector<DelegationRuleRow> ListDelegationRules(Connection& c, Id project_id);
int64_t RemoveDelegationRule(Connection& c, Id project_id, std::string_view path);
int64_t SetDelegationRulePriority(Connection& c, Id project_id, std::string_view path, int64_t priority);

struct StateRow {
  Id id = 0;
  std::string name, slug;
  int64_t ordering = 0;
  bool action_required = false;
  int64_t patches = 0;  // patches in this state
};
std::vector<StateRow> ListStates(Connection& c);
std::optional<StateRow> FindState(Connection& c, std::string_view slug_or_name);
Id InsertState(Connection& c, const StateRow& s);
void UpdateState(Connection& c, const StateRow& s);
// Moves every patch (and pending notification) from one state to another.
int64_t MovePatchesToState(Connection& c, Id from, Id to);
void DeleteState(Connection& c, Id id);

struct TagRow {
  Id id = 0;
  std::string name, pattern, abbrev;
  bool show_column = true;
};
std::vector<TagRow> ListTags(Connection& c);
std::optional<TagRow> FindTag(Connection& c, std::string_view name);
Id InsertTag(Connection& c, const TagRow& t);
void UpdateTag(Connection& c, const TagRow& t);
void DeleteTag(Connection& c, Id id);

// Users.
void UpdateUser(Connection& c, const UserRow& u);  // names, e-mail, flags
struct UserFootprint {
  int64_t delegated = 0;  // patches delegated to the user
  int64_t checks = 0;     // CI results the user reported
  int64_t bundles = 0;
};
UserFootprint UserFootprintOf(Connection& c, Id user_id);
int64_t UndelegateAll(Connection& c, Id user_id);
void DeleteUser(Connection& c, Id user_id);
// Ends every login session of the user (deactivation).
void DeleteUserSessions(Connection& c, Id user_id);

// People.
struct PersonAdminRow {
  Id id = 0;
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> username;
  int64_t patches = 0;
};
// Matching name or e-mail (case-insensitive substring); all when empty.
std::vector<PersonAdminRow> ListPeopleAdmin(Connection& c, std::string_view search, int64_t limit);
void SetPersonUser(Connection& c, Id person_id, std::optional<Id> user_id);
// Gives everything `from` submitted to `into`, then deletes `from`.
void MergePeople(Connection& c, Id from, Id into);

// Spam.
bool PatchExists(Connection& c, Id id);
bool CoverExists(Connection& c, Id id);
void DeletePatch(Connection& c, Id id);
// A cover's series stays (without its cover letter).
void DeleteCover(Connection& c, Id id);
// The series with its patches and cover letter. Returns the patches deleted.
int64_t DeleteSeries(Connection& c, Id id);

}  // namespace pb::db
