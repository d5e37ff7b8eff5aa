#include "db/read/bundles_read.h"

#include <unordered_map>

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kSelect =
    "SELECT b.id, b.project_id, b.name, b.public, u.id, u.username, u.first_name, u.last_name, "
    "u.email FROM bundles b JOIN users u ON u.id = b.owner_id";

std::string Visible(std::optional<Id> viewer, SqlArgs& args) {
  if (!viewer) return " WHERE b.public = 1";
  return " WHERE (b.public = 1 OR b.owner_id = " + args.Add(*viewer) + ")";
}

std::string Where(const BundleFilter& f, SqlArgs& args) {
  std::string w = Visible(f.viewer, args);
  AddIdFilter(w, args, "b.project_id", f.projects);
  AddIdFilter(w, args, "b.owner_id", f.owners);
  if (f.is_public) w += " AND b.public = " + args.Add(int64_t{*f.is_public ? 1 : 0});
  for (const auto& term : f.search) {
    w += " AND LOWER(b.name) LIKE " + args.Add(LikePattern(term)) + " ESCAPE '\\'";
  }
  return w;
}

void ReadRow(Statement& st, BundleRec& r) {
  r.id = st.Int(0);
  r.project_id = st.Int(1);
  r.name = std::string(st.Text(2));
  r.is_public = st.Int(3) != 0;
  r.owner = UserRec{st.Int(4), std::string(st.Text(5)), std::string(st.Text(6)),
                    std::string(st.Text(7)), std::string(st.Text(8))};
}

}  // namespace

int64_t CountBundles(Connection& c, const BundleFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = "SELECT COUNT(*) FROM bundles b" + Where(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<BundleRec> ListBundles(Connection& c, const BundleFilter& f, int64_t limit,
                                   int64_t offset) {
  SqlArgs args;
  std::string where = Where(f, args);
  std::string o;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!o.empty()) o += ", ";
    o += key == BundleOrder::kId ? "b.id" : key == BundleOrder::kName ? "b.name" : "b.owner_id";
    if (desc) o += " DESC";
    if (key == BundleOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) {
    o += o.empty() ? "b.id" : ", b.id";
  }
  std::string sql = std::string(kSelect) + where + " ORDER BY " + o +
                    LimitOffset(c.dialect(), args, limit, offset);
  std::vector<BundleRec> out;
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    BundleRec r;
    ReadRow(q.st(), r);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<BundleRec> GetBundle(Connection& c, Id id, std::optional<Id> viewer) {
  SqlArgs args;
  std::string sql = std::string(kSelect) + Visible(viewer, args) + " AND b.id = " + args.Add(id);
  DynQuery q(c, sql, args);
  if (!q.st().Step()) return std::nullopt;
  BundleRec r;
  ReadRow(q.st(), r);
  return r;
}

void LoadBundlePatches(Connection& c, const std::vector<BundleRec*>& bundles) {
  if (bundles.empty()) return;
  std::unordered_map<Id, std::vector<BundleRec*>> by_id;
  std::vector<Id> ids = GroupById(bundles, by_id);
  SqlArgs args;
  std::string sql =
      "SELECT bp.bundle_id, p.id, p.project_id, p.msgid, p.name, p.date FROM bundle_patches bp "
      "JOIN patches p ON p.id = bp.patch_id WHERE bp.bundle_id IN " +
      InPlaceholders(args, ids) + " ORDER BY p.date, p.id";
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    Statement& st = q.st();
    PatchRef r{st.Int(1), st.Int(2), std::string(st.Text(3)), std::string(st.Text(4)), st.Int(5)};
    for (auto* b : by_id[st.Int(0)]) b->patches.push_back(r);
  }
}

std::optional<Id> FindBundleOwner(Connection& c, Id bundle_id) {
  return QueryInt(c, "SELECT owner_id FROM bundles WHERE id = ?1", bundle_id);
}

std::optional<BundleAccess> FindBundleAccess(Connection& c, Id bundle_id) {
  Query q(c, "SELECT id, owner_id, public FROM bundles WHERE id = ?1", bundle_id);
  if (!q.Next()) return std::nullopt;
  return BundleAccess{q.Int(0), q.Int(1), q.Int(2) != 0, ""};
}

std::optional<BundleAccess> FindBundleByOwnerAndName(Connection& c, std::string_view owner_username,
                                                     std::string_view name) {
  Query q(c,
          "SELECT b.id, b.owner_id, b.public, b.name FROM bundles b "
          "JOIN users u ON u.id = b.owner_id WHERE u.username = ?1 AND b.name = ?2",
          owner_username, name);
  if (!q.Next()) return std::nullopt;
  return BundleAccess{q.Int(0), q.Int(1), q.Int(2) != 0, q.Str(3)};
}

}  // namespace pb::db::read
