#include "db/superseding.h"

namespace pb::db {

bool ProjectSupersedesRevisions(Connection& c, Id project_id) {
  return QueryInt(c, "SELECT supersede_revisions FROM projects WHERE id = ?1", project_id)
             .value_or(0) != 0;
}

void SetProjectSupersedesRevisions(Connection& c, Id project_id, bool on) {
  Query(c, "UPDATE projects SET supersede_revisions = ?1 WHERE id = ?2", on, project_id).Run();
}

std::optional<Id> SupersededStateId(Connection& c) {
  return QueryInt(c, "SELECT id FROM states WHERE slug = 'superseded'");
}

std::vector<Id> EarlierRevisionPatchesNeedingAction(Connection& c, Id series_id,
                                                    Id superseded_state) {
  // UNION (not UNION ALL) ends the walk should links ever form a cycle.
  Query q(c,
          "WITH RECURSIVE chain (id) AS ("
          " SELECT previous_id FROM series WHERE id = ?1 AND previous_id IS NOT NULL"
          " UNION"
          " SELECT s.previous_id FROM series s JOIN chain ON s.id = chain.id"
          " WHERE s.previous_id IS NOT NULL) "
          "SELECT p.id FROM patches p JOIN states st ON st.id = p.state_id "
          "WHERE p.series_id IN (SELECT id FROM chain) AND st.action_required = 1 "
          "AND p.state_id <> ?2 ORDER BY p.id",
          series_id, superseded_state);
  std::vector<Id> out;
  while (q.Next()) out.push_back(q.Int(0));
  return out;
}

}  // namespace pb::db
