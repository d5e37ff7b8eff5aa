#include "db/mbox_store.h"

#include <unordered_map>

namespace pb::db {
namespace {

constexpr const char* kPatchSelect =
    "SELECT p.id, p.content, p.diff, p.headers, p.date, pe.name, pe.email, u.email, pr.listemail, "
    "p.series_id, p.number FROM patches p JOIN people pe ON pe.id = p.submitter_id "
    "JOIN projects pr ON pr.id = p.project_id LEFT JOIN users u ON u.id = p.delegate_id ";

MboxSubmission ReadPatch(Query& q) {
  MboxSubmission s;
  s.id = q.Int(0);
  s.content = q.OptStr(1);
  s.diff = q.OptStr(2);
  s.headers = q.Str(3);
  s.date = q.Int(4);
  s.submitter_name = q.OptStr(5);
  s.submitter_email = q.Str(6);
  s.delegate_email = q.OptStr(7);
  s.list_email = q.Str(8);
  s.series_id = q.OptInt(9);
  if (auto n = q.OptInt(10)) s.number = static_cast<int>(*n);
  return s;
}

// One statement for the comments of every listed patch.
void AttachComments(Connection& c, std::vector<MboxSubmission>& patches) {
  if (patches.empty()) return;
  std::unordered_map<Id, size_t> index;
  std::vector<Id> ids;
  for (size_t i = 0; i < patches.size(); ++i) {
    index[patches[i].id] = i;
    ids.push_back(patches[i].id);
  }
  Query q(c,
          "SELECT patch_id, content FROM patch_comments WHERE content IS NOT NULL AND patch_id IN (" +
              IdListPlaceholders(ids.size(), 1) + ") ORDER BY date, id");
  BindIdList(q, ids, 1);
  while (q.Next()) patches[index[q.Int(0)]].comment_contents.push_back(q.Str(1));
}

}  // namespace

std::optional<MboxSubmission> LoadPatchForMbox(Connection& c, Id patch_id) {
  std::vector<MboxSubmission> out;
  {
    Query q(c, std::string(kPatchSelect) + "WHERE p.id = ?1", patch_id);
    if (!q.Next()) return std::nullopt;
    out.push_back(ReadPatch(q));
  }
  AttachComments(c, out);
  return std::move(out[0]);
}

std::optional<MboxSubmission> LoadCoverForMbox(Connection& c, Id cover_id) {
  MboxSubmission s;
  {
    Query q(c,
            "SELECT v.id, v.content, v.headers, v.date, pe.name, pe.email, pr.listemail "
            "FROM covers v JOIN people pe ON pe.id = v.submitter_id "
            "JOIN projects pr ON pr.id = v.project_id WHERE v.id = ?1",
            cover_id);
    if (!q.Next()) return std::nullopt;
    s.id = q.Int(0);
    s.is_patch = false;
    s.content = q.OptStr(1);
    s.headers = q.Str(2);
    s.date = q.Int(3);
    s.submitter_name = q.OptStr(4);
    s.submitter_email = q.Str(5);
    s.list_email = q.Str(6);
  }
  Query q(c,
          "SELECT content FROM cover_comments WHERE cover_id = ?1 AND content IS NOT NULL "
          "ORDER BY date, id",
          cover_id);
  while (q.Next()) s.comment_contents.push_back(q.Str(0));
  return s;
}

std::vector<MboxSubmission> LoadSeriesPatchesForMbox(Connection& c, Id series_id,
                                                     std::optional<int> before_number) {
  std::vector<MboxSubmission> out;
  {
    Query q(c,
            std::string(kPatchSelect) +
                "WHERE p.series_id = ?1 AND (?2 = 0 OR p.number < ?3) ORDER BY p.number, p.id",
            series_id, before_number ? 1 : 0, before_number.value_or(0));
    while (q.Next()) out.push_back(ReadPatch(q));
  }
  AttachComments(c, out);
  return out;
}

bool SeriesExists(Connection& c, Id series_id) {
  return QueryInt(c, "SELECT 1 FROM series WHERE id = ?1", series_id).has_value();
}

std::optional<std::vector<MboxSubmission>> LoadBundleForMbox(Connection& c, Id bundle_id) {
  if (!QueryInt(c, "SELECT 1 FROM bundles WHERE id = ?1", bundle_id)) return std::nullopt;
  std::vector<MboxSubmission> out;
  {
    Query q(c,
            std::string(kPatchSelect) +
                "JOIN bundle_patches bp ON bp.patch_id = p.id WHERE bp.bundle_id = ?1 "
                "ORDER BY bp.position",
            bundle_id);
    while (q.Next()) out.push_back(ReadPatch(q));
  }
  AttachComments(c, out);
  return out;
}

}  // namespace pb::db
