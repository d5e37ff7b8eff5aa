// Automatic superseding (patchbay extension, issue #327 upstream): when a
// new revision of a series arrives and its project has
// `supersede_revisions` on, the patches of its earlier revisions that still
// need action (State.action_required) move to Superseded, with the
// patch-state-changed events and notification rows a maintainer's change
// would make. Patches already in a final state (Accepted, Rejected, ...)
// are left alone.
#pragma once

#include "db/connection.h"
#include "db/records.h"

namespace pb::service {

// Inside the caller's transaction, after `series_id` was linked to its
// previous revision. Returns how many patches moved (0 without a
// "superseded" state).
int SupersedeEarlierRevisions(db::Connection& c, db::Id series_id);

}  // namespace pb::service
