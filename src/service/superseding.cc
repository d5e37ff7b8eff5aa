#include "service/superseding.h"

#include "db/superseding.h"
#include "service/patch_updates.h"

namespace pb::service {

int SupersedeEarlierRevisions(db::Connection& c, db::Id series_id) {
  auto superseded = db::SupersededStateId(c);
  if (!superseded) return 0;
  int moved = 0;
  PatchChanges ch;
  ch.state_id = *superseded;
  for (db::Id patch_id : db::EarlierRevisionPatchesNeedingAction(c, series_id, *superseded)) {
    // No actor: the system made the change, as upstream records for
    // changes not made through a request.
    if (ApplyPatchChanges(c, patch_id, ch, std::nullopt).ok()) ++moved;
  }
  return moved;
}

}  // namespace pb::service
