#include "db/checks.h"

namespace pb::db {

Id InsertCheck(Connection& c, const NewCheckRow& k) {
  return *QueryInt(c,
                   "INSERT INTO checks (patch_id, user_id, date, state, target_url, "
                   "description, context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                   k.patch_id, k.user_id, k.date, k.state, k.target_url, k.description, k.context);
}

}  // namespace pb::db
