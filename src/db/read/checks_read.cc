#include "db/read/checks_read.h"

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kSelect =
    "SELECT k.id, k.patch_id, k.date, k.state, k.target_url, k.description, k.context, u.id, "
    "u.username, u.first_name, u.last_name, u.email FROM checks k JOIN users u ON u.id = k.user_id";

std::string Where(Id patch, const CheckFilter& f, SqlArgs& args) {
  std::string w = " WHERE k.patch_id = " + args.Add(patch);
  AddIdFilter(w, args, "k.user_id", f.users);
  if (f.state) w += " AND k.state = " + args.Add(int64_t{*f.state});
  if (f.context) w += " AND k.context = " + args.Add(*f.context);
  if (f.since) w += " AND k.date >= " + args.Add(*f.since);
  if (f.before) w += " AND k.date < " + args.Add(*f.before);
  return w;
}

void ReadRow(Statement& st, CheckRec& r) {
  r.id = st.Int(0);
  r.patch_id = st.Int(1);
  r.date = st.Int(2);
  r.state = static_cast<int>(st.Int(3));
  if (!st.IsNull(4)) r.target_url = std::string(st.Text(4));
  if (!st.IsNull(5)) r.description = std::string(st.Text(5));
  r.context = std::string(st.Text(6));
  r.user = UserRec{st.Int(7), std::string(st.Text(8)), std::string(st.Text(9)),
                   std::string(st.Text(10)), std::string(st.Text(11))};
}

}  // namespace

int64_t CountChecks(Connection& c, Id patch, const CheckFilter& f, CountCache* cache,
                    int64_t generation) {
  SqlArgs args;
  std::string sql = "SELECT COUNT(*) FROM checks k" + Where(patch, f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<CheckRec> ListChecks(Connection& c, Id patch, const CheckFilter& f, int64_t limit,
                                 int64_t offset) {
  SqlArgs args;
  std::string where = Where(patch, f, args);
  std::string o;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!o.empty()) o += ", ";
    switch (key) {
      case CheckOrder::kId: o += "k.id"; by_id = true; break;
      case CheckOrder::kUser: o += "k.user_id"; break;
      case CheckOrder::kDate: o += "k.date"; break;
      case CheckOrder::kState: o += "k.state"; break;
      case CheckOrder::kTargetUrl: o += "k.target_url"; break;
      case CheckOrder::kContext: o += "k.context"; break;
      case CheckOrder::kDescription: o += "k.description"; break;
    }
    if (desc) o += " DESC";
    if (by_id) break;
  }
  if (!by_id) {
    o += o.empty() ? "k.id" : ", k.id";
  }
  std::string sql = std::string(kSelect) + where + " ORDER BY " + o +
                    LimitOffset(c.dialect(), args, limit, offset);
  std::vector<CheckRec> out;
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    CheckRec r;
    ReadRow(q.st(), r);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<CheckRec> GetCheck(Connection& c, Id patch, Id id) {
  static const std::string sql = std::string(kSelect) + " WHERE k.id = ?1 AND k.patch_id = ?2";
  SqlArgs args;
  args.Add(id);
  args.Add(patch);
  DynQuery q(c, sql, args);
  if (!q.st().Step()) return std::nullopt;
  CheckRec r;
  ReadRow(q.st(), r);
  return r;
}

}  // namespace pb::db::read
