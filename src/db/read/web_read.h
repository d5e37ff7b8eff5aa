// What the maintainer pages of the web UI read beyond the REST readers:
// tags, the rows permission checks need, a patch's unique checks, comments
// with their addressed state, bundles by owner, to-do counts, autocomplete.
// Each function is one statement (batched over ids where it takes a list).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/read/rows.h"

namespace pb::db::read {

struct TagRec {
  Id id = 0;
  std::string name, abbrev;
  bool show_column = true;
};
// Every tag, by id (upstream's Tag ordering is by abbrev; the columns
// follow the tags table, which is tiny).
std::vector<TagRec> ListTags(Connection& c);
// Ids of the projects with use_tags set.
std::vector<Id> ProjectsUsingTags(Connection& c);

// What Patch.is_editable needs, for a batch of patches (one statement).
struct PatchOwnerRec {
  Id id = 0;
  Id project_id = 0;
  std::string name;
  std::optional<Id> submitter_user_id, delegate_id;
};
std::vector<PatchOwnerRec> PatchOwners(Connection& c, const std::vector<Id>& patch_ids);

// The persons linked to the same user as `person_id` (itself included);
// just itself when it has no user; empty when unknown.
std::vector<Id> SamePersonIds(Connection& c, Id person_id);
// Whether some person's name / some user's username contains `text`
// (ASCII case-insensitive), as the list's text filters require.
bool AnyPersonNameContains(Connection& c, std::string_view text);
bool AnyUsernameContains(Connection& c, std::string_view text);
// A user's list settings: page size (items_per_page; 100 when unknown) and
// whether the ID column is shown (show_ids).
struct ListPrefsRec {
  int64_t items_per_page = 100;
  bool show_ids = false;
};
ListPrefsRec ListPrefs(Connection& c, Id user_id);

// The latest check per (user, context) of a patch, by context then user:
// the patch page's checks table.
std::vector<CheckRec> UniqueChecks(Connection& c, Id patch_id);

// A comment of a patch (`cover` false) or cover, with what the page shows.
struct WebCommentRec {
  Id id = 0;
  std::string msgid;
  Micros date = 0;
  Id submitter_id = 0;
  std::optional<std::string> submitter_name;
  std::string submitter_email;
  std::optional<Id> submitter_user_id;
  std::optional<bool> addressed;
  std::string content;
};
std::vector<WebCommentRec> WebComments(Connection& c, bool cover, Id parent_id);

// The user of a cover's submitter (CoverComment.is_editable), if any.
std::optional<Id> CoverSubmitterUser(Connection& c, Id cover_id);

// Where /comment/N/ leads: the parent's project linkname and msgid.
struct CommentTargetRec {
  bool cover = false;
  std::string linkname, msgid;
};
std::optional<CommentTargetRec> CommentTarget(Connection& c, Id comment_id);

// Patch/cover by msgid in a project, for the cross redirects.
struct SeriesMemberRec {
  Id id = 0;
  bool cover = false;
  std::string name, msgid;
  std::optional<int> number;
};
// A series' cover letter (first) and patches by number: the patch page's
// series box.
std::vector<SeriesMemberRec> SeriesMembers(Connection& c, Id series_id);

// A bundle with its owner's username and patch count.
struct WebBundleRec {
  Id id = 0;
  Id project_id = 0;
  std::string name, owner_username;
  Id owner_id = 0;
  bool is_public = false;
  int64_t patch_count = 0;
};
// The bundles of `owner`, in one project or all, by name.
std::vector<WebBundleRec> BundlesOfOwner(Connection& c, Id owner_id, std::optional<Id> project_id);
std::optional<WebBundleRec> BundleByOwnerName(Connection& c, std::string_view username,
                                              std::string_view name);
std::optional<WebBundleRec> BundleById(Connection& c, Id bundle_id);
// The bundle's patch ids in bundle order.
std::vector<Id> BundlePatchIds(Connection& c, Id bundle_id);
// The bundle's patch ids in bundle order with their position.
std::vector<std::pair<Id, int64_t>> BundlePositions(Connection& c, Id bundle_id);

// Patches delegated to `user_id` that need action and are not archived,
// counted per project (project id, count), projects with none left out.
std::vector<std::pair<Id, int64_t>> TodoCounts(Connection& c, Id user_id);

// Autocomplete (spec §6.8): at most `limit` rows, by id.
std::vector<PersonRec> PeopleMatching(Connection& c, std::string_view text, int64_t limit);
std::vector<UserRec> UsersMatching(Connection& c, std::string_view text, int64_t limit);

// The site's administrators for /about/ (upstream's ADMINS setting): the
// active superusers, by id.
std::vector<UserRec> SiteAdmins(Connection& c);

// A project's patch counts: (not archived, archived).
std::pair<int64_t, int64_t> ProjectPatchCounts(Connection& c, Id project_id);

}  // namespace pb::db::read
