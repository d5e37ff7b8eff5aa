// The reads behind the download URLs (web/downloads): resolving a patch,
// cover, series, project or bundle from the URL before mbox/ renders it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/connection.h"
#include "db/read/rows.h"

namespace pb::db::read {

// A patch or cover letter with what its URLs and file names need.
struct DownloadTarget {
  Id id = 0;
  std::string linkname, msgid, name;
  std::optional<std::string> diff;  // patches found by msgid only
  std::optional<Id> series_id;      // patches found by msgid only
};
std::optional<DownloadTarget> FindPatchDownload(Connection& c, Id patch_id);
std::optional<DownloadTarget> FindCoverDownload(Connection& c, Id cover_id);
std::optional<DownloadTarget> FindPatchDownloadByMsgid(Connection& c, std::string_view linkname,
                                                       std::string_view msgid);
std::optional<DownloadTarget> FindCoverDownloadByMsgid(Connection& c, std::string_view linkname,
                                                       std::string_view msgid);

// The stored linkname when a project has exactly this one.
std::optional<std::string> FindProjectLinkname(Connection& c, std::string_view linkname);
// nullopt: no such series; an empty inner value: the series has no name.
std::optional<std::optional<std::string>> FindSeriesName(Connection& c, Id series_id);

}  // namespace pb::db::read
