// Accounts beyond login: e-mail confirmations (registration, address
// linking, opt-out and opt-in), the opt-out list, the people rows linked to
// a user, profile settings, and the site secret that signs reset links.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct ConfirmationRow {
  Id id = 0;
  std::string type;  // registration, userperson, optout, optin
  std::string email;
  std::optional<Id> user_id;
  std::string key;
  Micros date = 0;
  bool active = true;
};

Id InsertConfirmation(Connection& c, std::string_view type, std::string_view email,
                      std::optional<Id> user_id, std::string_view key, Micros now);
std::optional<ConfirmationRow> FindConfirmation(Connection& c, std::string_view key);
void DeactivateConfirmation(Connection& c, Id id);
// expire_notifications(): confirmations that are inactive or dated before
// `before` go, then every inactive user without a remaining confirmation.
struct ExpiryCounts {
  int64_t confirmations = 0;
  int64_t users = 0;
};
ExpiryCounts ExpireConfirmationsAndUsers(Connection& c, Micros before);

// The opt-out list keeps addresses lower-cased and stripped by the caller.
bool IsOptedOut(Connection& c, std::string_view email);
void AddOptout(Connection& c, std::string_view email);
void RemoveOptout(Connection& c, std::string_view email);

// Case-insensitive lookups for the registration form's uniqueness rules.
std::optional<std::string> UsernameTakenAs(Connection& c, std::string_view username);
std::optional<std::string> UserWithEmail(Connection& c, std::string_view email);

// Links every people row with this address (case-insensitively) to the
// user; creates one named `name` when there is none. Returns the rows
// linked (one at least).
int64_t LinkPeopleToUser(Connection& c, Id user_id, std::string_view email, std::string_view name);
// Links existing rows only (`user create`): returns how many.
int64_t LinkExistingPeopleToUser(Connection& c, Id user_id, std::string_view email);
// The same, leaving rows already linked to some user alone.
int64_t LinkUnclaimedPeopleToUser(Connection& c, Id user_id, std::string_view email);

// Links every unlinked people row whose address is an active user's primary
// e-mail to that user (after an import: upstream links a user's own address
// at registration, so an active user's address is a confirmed one).
int64_t LinkPeopleToActiveUsers(Connection& c);

struct LinkedPerson {
  Id id = 0;
  std::string email;
  std::optional<std::string> name;
  bool optout = false;
};
std::vector<LinkedPerson> PeopleOfUser(Connection& c, Id user_id);
std::optional<PersonRow> FindPerson(Connection& c, Id person_id);
void UnlinkPerson(Connection& c, Id person_id);

struct AccountRow {
  UserRow user;
  std::string password;  // Django hash
  std::optional<Micros> last_login;
  int64_t items_per_page = 100;
  bool show_ids = false;
};
std::optional<AccountRow> FindAccount(Connection& c, Id user_id);
std::vector<AccountRow> AccountsWithEmail(Connection& c, std::string_view email);
void ActivateUser(Connection& c, Id user_id);
void SetPasswordHash(Connection& c, Id user_id, std::string_view hash);
void SetProfileSettings(Connection& c, Id user_id, int64_t items_per_page, bool show_ids);

// The named secret, made from `fresh` on first use (the first writer wins).
std::string SiteSecret(Connection& c, std::string_view name, std::string_view fresh);

// One pending state-change notification with what its mail shows.
struct PendingNotification {
  Id patch_id = 0;
  Id submitter_id = 0;
  std::string submitter_email;
  std::string patch_name, msgid;
  std::string project_linkname, project_name;
  bool project_sends = false;  // projects.send_notifications
  std::string orig_state, state;
  Micros last_modified = 0;
};
// Every row of patch_change_notifications, by submitter then patch id.
std::vector<PendingNotification> PendingNotifications(Connection& c);
void DeleteNotification(Connection& c, Id patch_id);

}  // namespace pb::db
