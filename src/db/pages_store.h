// What the HTML pages read beyond the REST readers in db/read/.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// Tag counts (A/R/T by tag id) of every listed patch: one statement.
std::map<Id, std::map<Id, int>> TagCounts(Connection& c, const std::vector<Id>& patch_ids);

// Latest check per (user, context) of every listed patch, counted by state
// (0 pending .. 3 fail): one statement.
std::map<Id, std::array<int, 4>> CheckCounts(Connection& c, const std::vector<Id>& patch_ids);

std::optional<Id> PatchIdByProjectMsgid(Connection& c, std::string_view linkname, std::string_view msgid);
std::optional<Id> CoverIdByProjectMsgid(Connection& c, std::string_view linkname, std::string_view msgid);

struct PageComment {
  Id id = 0;
  std::string msgid;
  Micros date = 0;
  std::optional<std::string> submitter_name;
  std::string submitter_email;
  std::string content;
};
std::vector<PageComment> PatchComments(Connection& c, Id patch_id);
std::vector<PageComment> CoverComments(Connection& c, Id cover_id);

struct PageCover {
  Id id = 0;
  std::string name, msgid, headers, linkname;
  std::optional<std::string> content, submitter_name;
  std::string submitter_email;
  Micros date = 0;
  std::optional<Id> series_id;
};
std::optional<PageCover> GetCover(Connection& c, Id cover_id);

struct SeriesPatchLink {
  Id id = 0;
  std::string name, msgid;
  std::optional<int> number;
};
// The patches of a series by number, for the "Series" box of a patch page.
std::vector<SeriesPatchLink> SeriesPatches(Connection& c, Id series_id);

}  // namespace pb::db
