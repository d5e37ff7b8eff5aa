// mbox downloads, byte-compatible with upstream Patchwork (shared spec §4):
// what `git am`, `git pw` and `pwclient` apply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::mbox {

// One patch or cover letter as one mbox message (spec §4.1), or nullopt when
// it does not exist.
std::optional<std::string> PatchMbox(db::Connection& c, db::Id patch_id);
std::optional<std::string> CoverMbox(db::Connection& c, db::Id cover_id);

// The patches of a series ordered by number, joined by "\n" (spec §4.2).
std::optional<std::string> SeriesMbox(db::Connection& c, db::Id series_id);

// The patch preceded by its series' earlier patches (`?series=*`).
std::optional<std::string> PatchWithDependenciesMbox(db::Connection& c, db::Id patch_id);

// Bundle patches in bundle order, joined by "\n".
std::optional<std::string> BundleMbox(db::Connection& c, db::Id bundle_id);

// Everything §4.1 needs about one submission, loaded by the functions above;
// exposed so the formatting is testable without a database.
struct Submission {
  db::Id id = 0;
  bool is_patch = true;
  std::optional<std::string> content;
  std::optional<std::string> diff;
  std::string headers;  // stored header text (spec §2.9)
  Micros date = 0;
  std::optional<std::string> submitter_name;
  std::string submitter_email;
  std::optional<std::string> delegate_email;
  std::string list_email;
  std::vector<std::string> comment_contents;  // replies, in date order
};
std::string FormatSubmission(const Submission& s);

}  // namespace pb::mbox
