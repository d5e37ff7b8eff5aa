// The patch and cover pages (upstream's submission.html, spec §6.3) and
// their forms: the maintainer's properties form, bundling, and marking a
// comment addressed.
#pragma once

#include "db/connection.h"
#include "db/read/rows.h"
#include "http/server.h"
#include "web/pages.h"
#include "web/visitor.h"

namespace pb::web {

http::Response PatchPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                         const db::read::ProjectRec& project, db::Id patch_id);
http::Response CoverPage(db::Connection& c, PageState& st, Visitor& visitor, const http::Request& req,
                         const db::read::ProjectRec& project, db::Id cover_id);

}  // namespace pb::web
