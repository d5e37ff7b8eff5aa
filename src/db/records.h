// Plain rows shared by the write side (service/) and the admin commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace pb::db {

using Id = int64_t;

struct ProjectRow {
  Id id = 0;
  std::string linkname, name, listid, listemail, subject_match;
  std::string web_url, scm_url, webscm_url, list_archive_url, list_archive_url_format,
      commit_url_format;
  bool send_notifications = false;
  bool use_tags = true;
};

struct UserRow {
  Id id = 0;
  std::string username, first_name, last_name, email;
  bool is_superuser = false;
  bool is_staff = false;
  bool is_active = true;
};

struct PersonRow {
  Id id = 0;
  std::string email;
  std::optional<std::string> name;
};

}  // namespace pb::db
