#include "db/read/web_read.h"

#include <map>
#include <tuple>

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

std::optional<std::string> OptText(Statement& st, int i) {
  if (st.IsNull(i)) return std::nullopt;
  return std::string(st.Text(i));
}

std::optional<Id> OptId(Statement& st, int i) {
  if (st.IsNull(i)) return std::nullopt;
  return st.Int(i);
}

// Latest check per (user, context), iterating by id: a later check replaces
// an earlier one unless the earlier one has the greater date (upstream's
// Patch.checks).
template <typename Row>
std::vector<Row> Latest(std::vector<Row> rows) {
  std::map<std::tuple<Id, Id, std::string>, size_t> at;
  std::vector<Row> out;
  for (auto& r : rows) {
    auto key = std::make_tuple(r.patch_id, r.user.id, r.context);
    auto it = at.find(key);
    if (it == at.end()) {
      at.emplace(key, out.size());
      out.push_back(std::move(r));
    } else if (!(out[it->second].date > r.date)) {
      out[it->second] = std::move(r);
    }
  }
  return out;
}

std::vector<CheckRec> ChecksOf(Connection& c, const std::vector<Id>& patch_ids, bool with_text) {
  std::vector<CheckRec> rows;
  if (patch_ids.empty()) return rows;
  SqlArgs args;
  std::string sql =
      "SELECT k.id, k.patch_id, k.user_id, u.username, k.date, k.state, k.target_url, "
      "k.description, k.context FROM checks k JOIN users u ON u.id = k.user_id "
      "WHERE k.patch_id IN " + InPlaceholders(args, patch_ids) + " ORDER BY k.id";
  DynQuery q(c, sql, args);
  Statement& st = q.st();
  while (st.Step()) {
    CheckRec k;
    k.id = st.Int(0);
    k.patch_id = st.Int(1);
    k.user.id = st.Int(2);
    k.user.username = std::string(st.Text(3));
    k.date = st.Int(4);
    k.state = static_cast<int>(st.Int(5));
    if (with_text) {
      k.target_url = OptText(st, 6);
      k.description = OptText(st, 7);
    }
    k.context = std::string(st.Text(8));
    rows.push_back(std::move(k));
  }
  return Latest(std::move(rows));
}

WebBundleRec ReadBundle(Query& q) {
  WebBundleRec b;
  b.id = q.Int(0);
  b.project_id = q.Int(1);
  b.name = q.Str(2);
  b.owner_id = q.Int(3);
  b.owner_username = q.Str(4);
  b.is_public = q.Int(5) != 0;
  b.patch_count = q.Int(6);
  return b;
}

constexpr const char* kBundleSelect =
    "SELECT b.id, b.project_id, b.name, b.owner_id, u.username, b.public, "
    "(SELECT COUNT(*) FROM bundle_patches bp WHERE bp.bundle_id = b.id) "
    "FROM bundles b JOIN users u ON u.id = b.owner_id ";

}  // namespace

std::vector<TagRec> ListTags(Connection& c) {
  Query q(c, "SELECT id, name, abbrev, show_column FROM tags ORDER BY id");
  std::vector<TagRec> out;
  while (q.Next()) out.push_back(TagRec{q.Int(0), q.Str(1), q.Str(2), q.Int(3) != 0});
  return out;
}

std::vector<Id> ProjectsUsingTags(Connection& c) {
  Query q(c, "SELECT id FROM projects WHERE use_tags <> 0");
  std::vector<Id> out;
  while (q.Next()) out.push_back(q.Int(0));
  return out;
}

std::vector<PatchOwnerRec> PatchOwners(Connection& c, const std::vector<Id>& patch_ids) {
  std::vector<PatchOwnerRec> out;
  if (patch_ids.empty()) return out;
  SqlArgs args;
  std::string sql =
      "SELECT p.id, p.project_id, p.name, pe.user_id, p.delegate_id FROM patches p "
      "JOIN people pe ON pe.id = p.submitter_id WHERE p.id IN " +
      InPlaceholders(args, patch_ids) + " ORDER BY p.id";
  DynQuery q(c, sql, args);
  Statement& st = q.st();
  while (st.Step()) {
    out.push_back(PatchOwnerRec{st.Int(0), st.Int(1), std::string(st.Text(2)), OptId(st, 3),
                                OptId(st, 4)});
  }
  return out;
}

std::vector<Id> SamePersonIds(Connection& c, Id person_id) {
  Query q(c,
          "SELECT o.id FROM people p JOIN people o ON o.id = p.id OR "
          "(p.user_id IS NOT NULL AND o.user_id = p.user_id) WHERE p.id = ?1 ORDER BY o.id",
          person_id);
  std::vector<Id> out;
  while (q.Next()) out.push_back(q.Int(0));
  return out;
}

bool AnyPersonNameContains(Connection& c, std::string_view text) {
  return QueryInt(c, "SELECT 1 FROM people WHERE LOWER(name) LIKE ?1 ESCAPE '\\' LIMIT 1",
                  LikePattern(text))
      .has_value();
}

bool AnyUsernameContains(Connection& c, std::string_view text) {
  return QueryInt(c, "SELECT 1 FROM users WHERE LOWER(username) LIKE ?1 ESCAPE '\\' LIMIT 1",
                  LikePattern(text))
      .has_value();
}

ListPrefsRec ListPrefs(Connection& c, Id user_id) {
  Query q(c, "SELECT items_per_page, show_ids FROM users WHERE id = ?1", user_id);
  ListPrefsRec p;
  if (q.Next()) {
    p.items_per_page = q.Int(0);
    p.show_ids = q.Int(1) != 0;
  }
  return p;
}

std::vector<CheckRec> UniqueChecks(Connection& c, Id patch_id) {
  auto rows = ChecksOf(c, {patch_id}, true);
  std::sort(rows.begin(), rows.end(), [](const CheckRec& a, const CheckRec& b) {
    return std::tie(a.context, a.user.username, a.id) < std::tie(b.context, b.user.username, b.id);
  });
  return rows;
}

std::optional<Id> CoverSubmitterUser(Connection& c, Id cover_id) {
  return QueryInt(c, "SELECT pe.user_id FROM covers v JOIN people pe ON pe.id = v.submitter_id WHERE v.id = ?1",
                  cover_id);
}

std::vector<WebCommentRec> WebComments(Connection& c, bool cover, Id parent_id) {
  const char* sql =
      cover ? "SELECT m.id, m.msgid, m.date, pe.id, pe.name, pe.email, pe.user_id, m.addressed, "
              "m.content FROM cover_comments m JOIN people pe ON pe.id = m.submitter_id "
              "WHERE m.cover_id = ?1 ORDER BY m.date, m.id"
            : "SELECT m.id, m.msgid, m.date, pe.id, pe.name, pe.email, pe.user_id, m.addressed, "
              "m.content FROM patch_comments m JOIN people pe ON pe.id = m.submitter_id "
              "WHERE m.patch_id = ?1 ORDER BY m.date, m.id";
  Query q(c, sql, parent_id);
  std::vector<WebCommentRec> out;
  while (q.Next()) {
    WebCommentRec m;
    m.id = q.Int(0);
    m.msgid = q.Str(1);
    m.date = q.Int(2);
    m.submitter_id = q.Int(3);
    m.submitter_name = q.OptStr(4);
    m.submitter_email = q.Str(5);
    m.submitter_user_id = q.OptInt(6);
    if (auto a = q.OptInt(7)) m.addressed = *a != 0;
    m.content = q.OptStr(8).value_or("");
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<CommentTargetRec> CommentTarget(Connection& c, Id comment_id) {
  // PatchComment ids are tried first (upstream's comment view); the two
  // tables' ids overlap.
  {
    Query q(c,
            "SELECT pr.linkname, p.msgid FROM patch_comments m JOIN patches p ON p.id = m.patch_id "
            "JOIN projects pr ON pr.id = p.project_id WHERE m.id = ?1",
            comment_id);
    if (q.Next()) return CommentTargetRec{false, q.Str(0), q.Str(1)};
  }
  Query q(c,
          "SELECT pr.linkname, v.msgid FROM cover_comments m JOIN covers v ON v.id = m.cover_id "
          "JOIN projects pr ON pr.id = v.project_id WHERE m.id = ?1",
          comment_id);
  if (q.Next()) return CommentTargetRec{true, q.Str(0), q.Str(1)};
  return std::nullopt;
}

std::vector<SeriesMemberRec> SeriesMembers(Connection& c, Id series_id) {
  Query q(c,
          "SELECT 0, v.id, v.name, v.msgid, NULL FROM series s JOIN covers v ON v.id = s.cover_letter_id "
          "WHERE s.id = ?1 UNION ALL "
          "SELECT 1, p.id, p.name, p.msgid, p.number FROM patches p WHERE p.series_id = ?1 "
          "ORDER BY 1, 5, 2",
          series_id);
  std::vector<SeriesMemberRec> out;
  while (q.Next()) {
    SeriesMemberRec m;
    m.cover = q.Int(0) == 0;
    m.id = q.Int(1);
    m.name = q.Str(2);
    m.msgid = q.Str(3);
    if (auto n = q.OptInt(4)) m.number = static_cast<int>(*n);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<WebBundleRec> BundlesOfOwner(Connection& c, Id owner_id, std::optional<Id> project_id) {
  std::vector<WebBundleRec> out;
  if (project_id) {
    Query q(c, std::string(kBundleSelect) + "WHERE b.owner_id = ?1 AND b.project_id = ?2 ORDER BY b.name, b.id",
            owner_id, *project_id);
    while (q.Next()) out.push_back(ReadBundle(q));
  } else {
    Query q(c, std::string(kBundleSelect) + "WHERE b.owner_id = ?1 ORDER BY b.name, b.id", owner_id);
    while (q.Next()) out.push_back(ReadBundle(q));
  }
  return out;
}

std::optional<WebBundleRec> BundleByOwnerName(Connection& c, std::string_view username,
                                              std::string_view name) {
  Query q(c, std::string(kBundleSelect) + "WHERE u.username = ?1 AND b.name = ?2", username, name);
  if (!q.Next()) return std::nullopt;
  return ReadBundle(q);
}

std::optional<WebBundleRec> BundleById(Connection& c, Id bundle_id) {
  Query q(c, std::string(kBundleSelect) + "WHERE b.id = ?1", bundle_id);
  if (!q.Next()) return std::nullopt;
  return ReadBundle(q);
}

std::vector<Id> BundlePatchIds(Connection& c, Id bundle_id) {
  std::vector<Id> out;
  for (const auto& [id, pos] : BundlePositions(c, bundle_id)) out.push_back(id);
  return out;
}

std::vector<std::pair<Id, int64_t>> BundlePositions(Connection& c, Id bundle_id) {
  Query q(c, "SELECT patch_id, position FROM bundle_patches WHERE bundle_id = ?1 ORDER BY position, id",
          bundle_id);
  std::vector<std::pair<Id, int64_t>> out;
  while (q.Next()) out.emplace_back(q.Int(0), q.Int(1));
  return out;
}

std::vector<std::pair<Id, int64_t>> TodoCounts(Connection& c, Id user_id) {
  Query q(c,
          "SELECT p.project_id, COUNT(*) FROM patches p JOIN states st ON st.id = p.state_id "
          "WHERE p.delegate_id = ?1 AND p.archived = 0 AND st.action_required <> 0 "
          "GROUP BY p.project_id ORDER BY p.project_id",
          user_id);
  std::vector<std::pair<Id, int64_t>> out;
  while (q.Next()) out.emplace_back(q.Int(0), q.Int(1));
  return out;
}

std::vector<PersonRec> PeopleMatching(Connection& c, std::string_view text, int64_t limit) {
  Query q(c,
          "SELECT id, name, email FROM people WHERE LOWER(name) LIKE ?1 ESCAPE '\\' "
          "OR LOWER(email) LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2",
          LikePattern(text), limit);
  std::vector<PersonRec> out;
  while (q.Next()) {
    PersonRec p;
    p.id = q.Int(0);
    p.name = q.OptStr(1);
    p.email = q.Str(2);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<UserRec> UsersMatching(Connection& c, std::string_view text, int64_t limit) {
  Query q(c,
          "SELECT id, username, first_name, last_name, email FROM users "
          "WHERE LOWER(username) LIKE ?1 ESCAPE '\\' OR LOWER(first_name) LIKE ?1 ESCAPE '\\' "
          "OR LOWER(last_name) LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2",
          LikePattern(text), limit);
  std::vector<UserRec> out;
  while (q.Next()) out.push_back(UserRec{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Str(4)});
  return out;
}

std::vector<UserRec> SiteAdmins(Connection& c) {
  Query q(c,
          "SELECT id, username, first_name, last_name, email FROM users "
          "WHERE is_superuser = 1 AND is_active = 1 ORDER BY id");
  std::vector<UserRec> out;
  while (q.Next()) out.push_back(UserRec{q.Int(0), q.Str(1), q.Str(2), q.Str(3), q.Str(4)});
  return out;
}

std::pair<int64_t, int64_t> ProjectPatchCounts(Connection& c, Id project_id) {
  Query q(c,
          "SELECT COALESCE(SUM(CASE WHEN archived = 0 THEN 1 ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN archived <> 0 THEN 1 ELSE 0 END), 0) FROM patches "
          "WHERE project_id = ?1",
          project_id);
  if (!q.Next()) return {0, 0};
  return {q.Int(0), q.Int(1)};
}

}  // namespace pb::db::read
