// Series dependencies (Depends-on: lines, spec §2.18): resolving a
// reference to a series of the same project, and recording the link.
// Every function runs inside the caller's transaction.
#pragma once

#include <optional>
#include <string_view>

#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

// The series of the patch, else of the cover letter, with that msgid.
std::optional<Id> SeriesIdByPatchMsgid(Connection& c, Id project_id, std::string_view msgid);
std::optional<Id> SeriesIdByCoverMsgid(Connection& c, Id project_id, std::string_view msgid);
// `series_id` itself when it belongs to the project.
std::optional<Id> SeriesIdInProject(Connection& c, Id project_id, Id series_id);
std::optional<Id> SeriesIdOfPatchInProject(Connection& c, Id project_id, Id patch_id);
std::optional<Id> SeriesIdOfCoverInProject(Connection& c, Id project_id, Id cover_id);
// No-op when the link exists.
void InsertSeriesDependency(Connection& c, Id series_id, Id depends_on_id);

}  // namespace pb::db
