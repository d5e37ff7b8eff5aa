// Reads what mbox downloads need (src/mbox/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "db/connection.h"
#include "db/records.h"

namespace pb::db {

struct MboxSubmission {
  Id id = 0;
  bool is_patch = true;
  std::optional<std::string> content, diff;
  std::string headers;
  Micros date = 0;
  std::optional<std::string> submitter_name;
  std::string submitter_email;
  std::optional<std::string> delegate_email;
  std::string list_email;
  std::optional<Id> series_id;
  std::optional<int> number;
  std::vector<std::string> comment_contents;
};

std::optional<MboxSubmission> LoadPatchForMbox(Connection& c, Id patch_id);
std::optional<MboxSubmission> LoadCoverForMbox(Connection& c, Id cover_id);
// Patches of a series ordered by number (optionally only those numbered
// below `before_number`), with their comments: two statements in all.
std::vector<MboxSubmission> LoadSeriesPatchesForMbox(Connection& c, Id series_id,
                                                     std::optional<int> before_number = std::nullopt);
bool SeriesExists(Connection& c, Id series_id);
// Bundle patches in bundle order.
std::optional<std::vector<MboxSubmission>> LoadBundleForMbox(Connection& c, Id bundle_id);

}  // namespace pb::db
