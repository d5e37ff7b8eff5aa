// The SQL behind the XML-RPC API (xmlrpc/, spec §5): the rows its methods
// serialise, the patch_list/check_list filters, and its two writers
// (patch_set, check_create). Writers run inside the caller's transaction.
//
// List functions take upstream's `max_count`: 0 = all rows, N > 0 = the first
// N, N < 0 = the last |N| in the list's order. They return nullopt when a
// negative max_count asks for more rows than there are (upstream then fails
// with Django's "Negative indexing is not supported.").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct RpcProject {
  Id id = 0;
  std::string linkname, name;
};

struct RpcPerson {
  Id id = 0;
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> username;  // of the linked user
};

struct RpcState {
  Id id = 0;
  std::string name;
};

// A patch without its content, headers and diff.
struct RpcPatch {
  Id id = 0;
  Micros date = 0;
  std::string msgid, name;
  Id project_id = 0;
  std::string project_name;
  Id state_id = 0;
  std::string state_name;
  bool archived = false;
  Id submitter_id = 0;
  std::optional<std::string> submitter_name;
  std::string submitter_email;
  std::optional<Id> delegate_id;
  std::optional<std::string> delegate_username;
  std::optional<std::string> commit_ref, hash;
};

struct RpcCheck {
  Id id = 0;
  Micros date = 0;
  Id patch_id = 0;
  std::string patch_name;
  Id user_id = 0;
  std::string username;
  int state = 0;  // 0 pending, 1 success, 2 warning, 3 fail
  std::optional<std::string> target_url, description;
  std::string context;
};

template <typename T>
using RpcList = std::optional<std::vector<T>>;

// `contains` filters are case-insensitive substring matches (Django icontains).
RpcList<RpcProject> RpcProjects(Connection& c, std::optional<std::string_view> linkname_contains,
                                int64_t max_count);
std::optional<RpcProject> RpcProjectById(Connection& c, Id id);
// Name or email contains the text.
RpcList<RpcPerson> RpcPeople(Connection& c, std::optional<std::string_view> contains,
                             int64_t max_count);
std::optional<RpcPerson> RpcPersonById(Connection& c, Id id);
RpcList<RpcState> RpcStates(Connection& c, std::optional<std::string_view> name_contains,
                            int64_t max_count);
std::optional<RpcState> RpcStateById(Connection& c, Id id);

std::optional<RpcPatch> RpcPatchById(Connection& c, Id id);
// At most `limit` patches, so a caller can tell one match from several.
std::vector<RpcPatch> RpcPatchesByHash(Connection& c, std::string_view hash, int limit);
std::vector<RpcPatch> RpcPatchesByProjectHash(Connection& c, std::string_view linkname,
                                              std::string_view hash, int limit);
bool RpcPatchExists(Connection& c, Id id);
// Outer nullopt: no such patch; inner: the patch has no diff.
std::optional<std::optional<std::string>> RpcPatchDiff(Connection& c, Id id);

// One filter term of patch_list/check_list, already typed by the caller:
// numeric comparisons on integer and date columns carry ints (dates as
// Micros), text lookups carry strings, year/month/day carry ints, isnull
// carries 0/1, in/range carry their list.
enum class RpcColumn {
  // patches
  kPatchId, kPatchName, kPatchProject, kPatchSubmitter, kPatchDelegatePerson, kPatchArchived,
  kPatchState, kPatchDate, kPatchCommitRef, kPatchHash, kPatchMsgid,
  // checks
  kCheckId, kCheckUser, kCheckProject, kCheckPatch,
};
enum class Lookup {
  kExact, kIExact, kContains, kIContains, kGt, kGte, kLt, kIn, kStartsWith, kIStartsWith,
  kEndsWith, kIEndsWith, kRange, kYear, kMonth, kDay, kIsNull,
};
// The lookups that match text (iexact, [i]contains, [i]startswith, [i]endswith).
bool IsTextLookup(Lookup l);

using Operand = std::variant<int64_t, std::string>;
struct RpcCondition {
  RpcColumn column;
  Lookup lookup;
  std::vector<Operand> operands;
};

// Patches matching every condition, ordered by date.
RpcList<RpcPatch> RpcPatches(Connection& c, const std::vector<RpcCondition>& where,
                             int64_t max_count);
// Checks matching every condition, ordered by id.
RpcList<RpcCheck> RpcChecks(Connection& c, const std::vector<RpcCondition>& where,
                            int64_t max_count);
std::optional<RpcCheck> RpcCheckById(Connection& c, Id id);
std::vector<RpcCheck> RpcChecksOfPatch(Connection& c, Id patch_id);  // by id

// How upstream's str(datetime) renders a date: "2024-01-01 09:00:00", with
// ".ffffff" only when there are microseconds.
std::string RpcDateText(Micros t);

// Login: the password hash and whether the account may log in.
struct RpcLogin {
  Id id = 0;
  std::string username, password;
  bool active = false;
};
std::optional<RpcLogin> RpcUserByUsername(Connection& c, std::string_view username);

// What patch_set and check_create need before writing: the patch's current
// editable fields and whether `user_id` may edit it (spec §1.4: the
// submitter's linked user, the delegate, or a maintainer of the project).
struct RpcPatchForEdit {
  Id project_id = 0;
  Id state_id = 0;
  std::optional<std::string> commit_ref;
  bool archived = false;
  bool send_notifications = false;
  bool editable = false;
};
std::optional<RpcPatchForEdit> RpcPatchForEditBy(Connection& c, Id patch_id, Id user_id);
void RpcUpdatePatch(Connection& c, Id patch_id, Id state_id,
                    const std::optional<std::string>& commit_ref, bool archived);
// Spec §1.6: a patch's state went from `from` to `to` in a project that sends
// notifications.
void RpcNoteStateChange(Connection& c, Id patch_id, Id from, Id to);
// A null target_url/description is stored as NULL (upstream lets a client
// send None there).
Id RpcInsertCheck(Connection& c, Id patch_id, Id user_id, int state,
                  const std::optional<std::string>& target_url,
                  const std::optional<std::string>& description, std::string_view context);

}  // namespace pb::db
