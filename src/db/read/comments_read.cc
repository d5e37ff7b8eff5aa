#include "db/read/comments_read.h"

#include <string>

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

const char* Table(CommentKind k) { return k == CommentKind::kPatch ? "patch_comments" : "cover_comments"; }
const char* ParentColumn(CommentKind k) { return k == CommentKind::kPatch ? "patch_id" : "cover_id"; }

std::string Select(CommentKind k) {
  return std::string("SELECT m.id, m.") + ParentColumn(k) +
         ", m.msgid, m.date, m.addressed, m.headers, m.content, s.id, s.name, s.email FROM " +
         Table(k) + " m JOIN people s ON s.id = m.submitter_id";
}

void ReadRow(Statement& st, CommentRec& r) {
  r.id = st.Int(0);
  r.parent_id = st.Int(1);
  r.msgid = std::string(st.Text(2));
  r.date = st.Int(3);
  if (!st.IsNull(4)) r.addressed = st.Int(4) != 0;
  r.headers = std::string(st.Text(5));
  if (!st.IsNull(6)) r.content = std::string(st.Text(6));
  r.submitter.id = st.Int(7);
  if (!st.IsNull(8)) r.submitter.name = std::string(st.Text(8));
  r.submitter.email = std::string(st.Text(9));
}

}  // namespace

std::optional<Id> CommentParentProject(Connection& c, CommentKind kind, Id parent) {
  return QueryInt(c,
                  kind == CommentKind::kPatch ? "SELECT project_id FROM patches WHERE id = ?1"
                                              : "SELECT project_id FROM covers WHERE id = ?1",
                  parent);
}

int64_t CountComments(Connection& c, CommentKind kind, Id parent, CountCache* cache,
                      int64_t generation) {
  SqlArgs args;
  std::string sql = std::string("SELECT COUNT(*) FROM ") + Table(kind) + " WHERE " +
                    ParentColumn(kind) + " = " + args.Add(parent);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<CommentRec> ListComments(Connection& c, CommentKind kind, Id parent,
                                     const std::vector<std::pair<CommentOrder, bool>>& order,
                                     int64_t limit, int64_t offset) {
  SqlArgs args;
  std::string o;
  bool by_id = false;
  for (const auto& [key, desc] : order) {
    if (!o.empty()) o += ", ";
    o += key == CommentOrder::kId ? "m.id" : key == CommentOrder::kDate ? "m.date" : "m.submitter_id";
    if (desc) o += " DESC";
    if (key == CommentOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) {
    o += o.empty() ? "m.id" : ", m.id";
  }
  std::string sql = Select(kind) + " WHERE m." + ParentColumn(kind) + " = " + args.Add(parent) +
                    " ORDER BY " + o + LimitOffset(c.dialect(), args, limit, offset);
  std::vector<CommentRec> out;
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    CommentRec r;
    ReadRow(q.st(), r);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<CommentRec> GetComment(Connection& c, CommentKind kind, Id parent, Id id) {
  SqlArgs args;
  std::string sql = Select(kind) + " WHERE m.id = " + args.Add(id) + " AND m." +
                    ParentColumn(kind) + " = " + args.Add(parent);
  DynQuery q(c, sql, args);
  if (!q.st().Step()) return std::nullopt;
  CommentRec r;
  ReadRow(q.st(), r);
  return r;
}

std::optional<Id> CommentParentId(Connection& c, CommentKind kind, Id id) {
  return QueryInt(c,
                  kind == CommentKind::kPatch ? "SELECT patch_id FROM patch_comments WHERE id = ?1"
                                              : "SELECT cover_id FROM cover_comments WHERE id = ?1",
                  id);
}

}  // namespace pb::db::read
