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

// The embedded cover shape (series cover letters, event payloads).
struct CoverRef {
  Id id = 0;
  Id project_id = 0;
  std::string msgid, name;
  Micros date = 0;
};

struct CoverRec {
  Id id = 0;
  Id project_id = 0;
  std::string msgid, name;
  Micros date = 0;
  PersonRec submitter;
  std::optional<SeriesRef> series;
  // Detail only.
  std::string headers;
  std::optional<std::string> content;
};

// A patch or cover comment; `parent_id` is the patch or cover.
struct CommentRec {
  Id id = 0;
  Id parent_id = 0;
  std::string msgid;
  Micros date = 0;
  PersonRec submitter;
  std::optional<bool> addressed;
  std::string headers;
  std::optional<std::string> content;
};

// The embedded comment shape (event payloads): the project is the parent's.
struct CommentRef {
  Id id = 0;
  Id parent_id = 0;
  Id project_id = 0;
  std::string msgid;
  Micros date = 0;
};

struct CheckRec {
  Id id = 0;
  Id patch_id = 0;
  UserRec user;  // not loaded for the embedded shape
  Micros date = 0;
  int state = 0;  // 0 pending, 1 success, 2 warning, 3 fail
  std::optional<std::string> target_url, description;
  std::string context;
};

struct SeriesRec {
  Id id = 0;
  std::optional<Id> project_id;
  std::optional<std::string> name;
  Micros date = 0;
  PersonRec submitter;
  int version = 1;
  int total = 0;
  std::optional<CoverRef> cover_letter;
  // Filled by the batched loader.
  std::vector<PatchRef> patches;  // by date
  std::vector<Id> dependencies, dependents;
};

struct BundleRec {
  Id id = 0;
  Id project_id = 0;
  std::string name;
  UserRec owner;
  bool is_public = false;
  std::vector<PatchRef> patches;  // by patch date (upstream's API order)
};

struct EventRec {
  Id id = 0;
  Id project_id = 0;
  std::string category;
  Micros date = 0;
  std::optional<UserRec> actor;
  std::optional<PatchRef> patch;
  std::optional<SeriesRef> series;
  std::optional<CoverRef> cover;
  std::optional<Id> previous_state_id, current_state_id;
  std::optional<UserRec> previous_delegate, current_delegate;
  std::optional<CheckRec> check;
  std::optional<CommentRef> cover_comment, patch_comment;
};

}  // namespace pb::db::read
