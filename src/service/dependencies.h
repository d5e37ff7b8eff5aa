// "Depends-on:" lines in patches and cover letters (upstream main, API 1.4):
//   Depends-on: <msgid@example.com>
//   Depends-on: https://patchwork.example.org/project/p/list/?series=42
//   Depends-on: https://patchwork.example.org/project/p/patch/<msgid>/
// Each resolves to a series of the same project, which the mail's series
// then depends on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

struct DependencyRef {
  bool is_url = false;
  std::string value;  // "<msgid>" or the URL
};

std::vector<DependencyRef> ParseDependsOn(std::string_view content);

// Resolves the references and records them for `series_id`.
void RecordDependencies(db::Connection& c, db::Id project_id, db::Id series_id,
                        std::string_view content);

}  // namespace pb::service
