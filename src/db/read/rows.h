// Plain rows the REST API reads. They carry exactly what the serializers
// need; joins are resolved by the read functions (one statement per page
// plus one batched statement per embedded kind, never one per row).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "db/records.h"

namespace pb::db::read {

struct UserRec {
  Id id = 0;
  std::string username, first_name, last_name, email;
};

struct ProjectRec {
  Id id = 0;
  std::string linkname, name, listid, listemail, subject_match;
  std::string web_url, scm_url, webscm_url, list_archive_url, list_archive_url_format,
      commit_url_format;
  bool show_dependencies = false;
  std::vector<UserRec> maintainers;  // ordered by user id
};

struct StateRec {
  Id id = 0;
  std::string name, slug;
  int ordering = 0;
  bool action_required = true;
};

struct PersonRec {
  Id id = 0;
  std::optional<std::string> name;
  std::string email;
  std::optional<UserRec> user;  // only loaded where the API shows it (people endpoints)
};

// The embedded series shape.
struct SeriesRef {
  Id id = 0;
  Micros date = 0;
  std::optional<std::string> name;
  int version = 1;
  std::optional<Id> project_id;
};

// The embedded patch shape (related patches, later bundles/series).
struct PatchRef {
  Id id = 0;
  Id project_id = 0;
  std::string msgid, name;
  Micros date = 0;
};

struct PatchRec {
  Id id = 0;
  Id project_id = 0;
  std::string msgid, name;
  Micros date = 0;
  std::optional<std::string> commit_ref, pull_url, hash;
  bool archived = false;
  Id state_id = 0;
  PersonRec submitter;
  std::optional<UserRec> delegate;
  std::optional<SeriesRef> series;
  std::optional<Id> related_id;
  // Detail only.
  std::string headers;
  std::optional<std::string> content, diff;
  // Filled by the batched loaders.
  std::string check_state = "pending";
  std::vector<PatchRef> related;  // same relation, this patch excluded, by date
};

}  // namespace pb::db::read
