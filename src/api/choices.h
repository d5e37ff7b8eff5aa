// Model-choice list filters (spec §3.6), shared by the list views: each value
// of a repeatable parameter is an id when it parses as an integer, else goes
// through the kind's alternate lookup; the values are OR-ed. A false return
// means some value matches nothing, so the whole list is empty.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "db/read/users_read.h"
#include "db/records.h"

namespace pb::api {

using IdList = std::optional<std::vector<db::Id>>;

// Projects: id, else linkname (iexact).
bool ProjectChoice(Context& ctx, std::string_view param, IdList* out);
// People: id, else email (iexact).
bool PersonChoice(Context& ctx, std::string_view param, IdList* out);
// Users: id, else username (iexact).
bool UserChoice(Context& ctx, std::string_view param, IdList* out);
// Rows of `table` ("series", "patches", "covers"): id only.
bool IdChoice(Context& ctx, std::string_view param, db::read::Table table, IdList* out);

}  // namespace pb::api
