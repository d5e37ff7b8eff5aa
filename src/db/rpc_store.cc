#include "db/rpc_store.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace pb::db {
namespace {

// Resets a hand-bound statement however we leave, so SQLite never keeps a
// read transaction open on a half-read result.
class Bound {
 public:
  Bound(Connection& c, const std::string& sql, const std::vector<Operand>& binds)
      : st_(c.Prepare(sql)) {
    int i = 1;
    for (const auto& b : binds) {
      if (const auto* n = std::get_if<int64_t>(&b)) st_.BindInt(i++, *n);
      else st_.BindText(i++, std::get<std::string>(b));
    }
  }
  ~Bound() { st_.Reset(); }
  Statement& operator*() { return st_; }

 private:
  Statement& st_;
};

std::optional<std::string> OptText(Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return std::string(st.Text(col));
}
std::optional<int64_t> OptInt(Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Int(col);
}

// LIKE pattern with the operand's own wildcards escaped (ESCAPE '\').
std::string LikePattern(std::string_view text, bool prefix_any, bool suffix_any) {
  std::string out = prefix_any ? "%" : "";
  for (char ch : text) {
    if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
    out += ch;
  }
  if (suffix_any) out += '%';
  return out;
}

// ---- the lists' shared tail: order, max_count window ----

template <typename Row>
RpcList<Row> RunList(Connection& c, std::string sql, std::vector<Operand> binds,
                     std::string_view order_asc, std::string_view order_desc, int64_t max_count,
                     const std::function<Row(Statement&)>& read,
                     const std::function<bool(const Row&)>& keep = nullptr) {
  std::vector<Row> rows;
  // Without a C++-side filter the window goes into SQL: LIMIT for the first
  // N, the reverse order and LIMIT for the last N.
  const bool window_in_sql = !keep && max_count != 0;
  sql += " ORDER BY ";
  sql += (window_in_sql && max_count < 0) ? order_desc : order_asc;
  if (window_in_sql) {
    binds.emplace_back(max_count > 0 ? max_count : -max_count);
    sql += " LIMIT ?" + std::to_string(binds.size());
  }
  {
    Bound q(c, sql, binds);
    while ((*q).Step()) {
      Row r = read(*q);
      if (!keep || keep(r)) rows.push_back(std::move(r));
    }
  }
  if (max_count > 0) {
    if (rows.size() > static_cast<size_t>(max_count)) rows.resize(static_cast<size_t>(max_count));
  } else if (max_count < 0) {
    size_t want = static_cast<size_t>(-max_count);
    if (rows.size() < want) return std::nullopt;
    if (window_in_sql) std::reverse(rows.begin(), rows.end());
    else rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(want));
  }
  return rows;
}

// ---- filters ----

enum class ColumnType { kInt, kText, kDate };

struct ColumnInfo {
  const char* sql;
  ColumnType type;
};

ColumnInfo Info(RpcColumn col) {
  switch (col) {
    case RpcColumn::kPatchId: return {"p.id", ColumnType::kInt};
    case RpcColumn::kPatchName: return {"p.name", ColumnType::kText};
    case RpcColumn::kPatchProject: return {"p.project_id", ColumnType::kInt};
    case RpcColumn::kPatchSubmitter: return {"p.submitter_id", ColumnType::kInt};
    // Upstream resolves delegate_id as a Person (spec §5); the patch's
    // delegate is a user, so we follow the person's user link.
    case RpcColumn::kPatchDelegatePerson:
      return {"p.delegate_id", ColumnType::kInt};
    case RpcColumn::kPatchArchived: return {"p.archived", ColumnType::kInt};
    case RpcColumn::kPatchState: return {"p.state_id", ColumnType::kInt};
    case RpcColumn::kPatchDate: return {"p.date", ColumnType::kDate};
    case RpcColumn::kPatchCommitRef: return {"p.commit_ref", ColumnType::kText};
    case RpcColumn::kPatchHash: return {"p.hash", ColumnType::kText};
    case RpcColumn::kPatchMsgid: return {"p.msgid", ColumnType::kText};
    case RpcColumn::kCheckId: return {"c.id", ColumnType::kInt};
    case RpcColumn::kCheckUser: return {"c.user_id", ColumnType::kInt};
    case RpcColumn::kCheckProject: return {"pa.project_id", ColumnType::kInt};
    case RpcColumn::kCheckPatch: return {"c.patch_id", ColumnType::kInt};
  }
  return {"NULL", ColumnType::kInt};
}

// Date terms SQL can't express portably over BIGINT microseconds (month, day,
// and text matches against the "YYYY-MM-DD HH:MM:SS" rendering Django's LIKE
// sees); applied to the rows in C++.
struct DateTerm {
  Lookup lookup;
  Operand operand;
};

bool DateMatches(Micros date, const DateTerm& t) {
  if (t.lookup == Lookup::kMonth || t.lookup == Lookup::kDay) {
    Civil cv = CivilFromMicros(date);
    int64_t want = std::get<int64_t>(t.operand);
    return (t.lookup == Lookup::kMonth ? cv.month : cv.day) == want;
  }
  // Dates render as digits and punctuation only, so case folding is moot.
  std::string text = RpcDateText(date);
  const std::string& needle = std::get<std::string>(t.operand);
  switch (t.lookup) {
    case Lookup::kIExact: return text == needle;
    case Lookup::kContains: case Lookup::kIContains:
      return text.find(needle) != std::string::npos;
    case Lookup::kStartsWith: case Lookup::kIStartsWith:
      return text.compare(0, needle.size(), needle) == 0;
    case Lookup::kEndsWith: case Lookup::kIEndsWith:
      return text.size() >= needle.size() &&
             text.compare(text.size() - needle.size(), needle.size(), needle) == 0;
    default: return true;
  }
}

class WhereBuilder {
 public:
  std::string sql;
  std::vector<Operand> binds;
  std::vector<DateTerm> date_terms;

  void Add(const RpcCondition& cond) {
    ColumnInfo info = Info(cond.column);
    std::string col = info.sql;
    if (info.type == ColumnType::kDate &&
        (IsTextLookup(cond.lookup) || cond.lookup == Lookup::kMonth || cond.lookup == Lookup::kDay)) {
      date_terms.push_back({cond.lookup, cond.operands.at(0)});
      return;
    }
    if (cond.column == RpcColumn::kPatchDelegatePerson) {
      // Any lookup on it means "delegated to this person's user".
      Term(col + " = (SELECT dp.user_id FROM people dp WHERE dp.id = " + Bind(cond.operands.at(0)) +
           ")");
      return;
    }
    if (info.type == ColumnType::kInt && IsTextLookup(cond.lookup)) {
      col = "CAST(" + col + " AS TEXT)";
    }
    switch (cond.lookup) {
      case Lookup::kExact: Term(col + " = " + Bind(cond.operands.at(0))); break;
      case Lookup::kIExact: Term("LOWER(" + col + ") = LOWER(" + Bind(cond.operands.at(0)) + ")"); break;
      case Lookup::kContains: Like(col, cond, true, true, false); break;
      case Lookup::kIContains: Like(col, cond, true, true, true); break;
      case Lookup::kStartsWith: Like(col, cond, false, true, false); break;
      case Lookup::kIStartsWith: Like(col, cond, false, true, true); break;
      case Lookup::kEndsWith: Like(col, cond, true, false, false); break;
      case Lookup::kIEndsWith: Like(col, cond, true, false, true); break;
      case Lookup::kGt: Term(col + " > " + Bind(cond.operands.at(0))); break;
      case Lookup::kGte: Term(col + " >= " + Bind(cond.operands.at(0))); break;
      case Lookup::kLt: Term(col + " < " + Bind(cond.operands.at(0))); break;
      case Lookup::kRange:
        Term(col + " BETWEEN " + Bind(cond.operands.at(0)) + " AND " + Bind(cond.operands.at(1)));
        break;
      case Lookup::kIn: In(col, cond.operands); break;
      case Lookup::kIsNull:
        Term(col + (std::get<int64_t>(cond.operands.at(0)) ? " IS NULL" : " IS NOT NULL"));
        break;
      case Lookup::kYear: {
        int64_t y = std::get<int64_t>(cond.operands.at(0));
        auto from = MicrosFromCivil(y, 1, 1, 0, 0, 0);
        auto to = y < 9999 ? MicrosFromCivil(y + 1, 1, 1, 0, 0, 0) : std::optional<Micros>(INT64_MAX);
        if (!from || !to) {
          Term("1 = 0");
        } else {
          Term(col + " >= " + Bind(*from) + " AND " + col + " < " + Bind(*to));
        }
        break;
      }
      case Lookup::kMonth: case Lookup::kDay:
        Term("1 = 0");  // only dates have months; the caller rejects the rest
        break;
    }
  }

 private:
  std::string Bind(Operand v) {
    binds.push_back(std::move(v));
    return "?" + std::to_string(binds.size());
  }
  void Term(const std::string& t) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += t;
  }
  void Like(const std::string& col, const RpcCondition& cond, bool any_before, bool any_after,
            bool fold) {
    std::string text;
    if (const auto* s = std::get_if<std::string>(&cond.operands.at(0))) text = *s;
    else text = std::to_string(std::get<int64_t>(cond.operands.at(0)));
    std::string p = Bind(LikePattern(text, any_before, any_after));
    Term(fold ? "LOWER(" + col + ") LIKE LOWER(" + p + ") ESCAPE '\\'"
              : col + " LIKE " + p + " ESCAPE '\\'");
  }
  // The list is padded to a power of two with its last value (a no-op for
  // IN) so that the statement cache sees few distinct SQL texts.
  void In(const std::string& col, const std::vector<Operand>& values) {
    if (values.empty()) {
      Term("1 = 0");
      return;
    }
    size_t n = 1;
    while (n < values.size()) n *= 2;
    std::string list;
    for (size_t i = 0; i < n; ++i) {
      if (i) list += ", ";
      list += Bind(values[std::min(i, values.size() - 1)]);
    }
    Term(col + " IN (" + list + ")");
  }
};

// ---- row readers ----

constexpr const char* kPatchSelect =
    "SELECT p.id, p.date, p.msgid, p.name, p.project_id, pr.name, p.state_id, st.name, "
    "p.archived, p.submitter_id, pe.name, pe.email, p.delegate_id, du.username, p.commit_ref, "
    "p.hash FROM patches p JOIN projects pr ON pr.id = p.project_id "
    "JOIN states st ON st.id = p.state_id JOIN people pe ON pe.id = p.submitter_id "
    "LEFT JOIN users du ON du.id = p.delegate_id";

RpcPatch ReadPatch(Statement& q) {
  RpcPatch p;
  p.id = q.Int(0);
  p.date = q.Int(1);
  p.msgid = q.Text(2);
  p.name = q.Text(3);
  p.project_id = q.Int(4);
  p.project_name = q.Text(5);
  p.state_id = q.Int(6);
  p.state_name = q.Text(7);
  p.archived = q.Int(8) != 0;
  p.submitter_id = q.Int(9);
  p.submitter_name = OptText(q, 10);
  p.submitter_email = q.Text(11);
  p.delegate_id = OptInt(q, 12);
  p.delegate_username = OptText(q, 13);
  p.commit_ref = OptText(q, 14);
  p.hash = OptText(q, 15);
  return p;
}

constexpr const char* kCheckSelect =
    "SELECT c.id, c.date, c.patch_id, pa.name, c.user_id, u.username, c.state, c.target_url, "
    "c.description, c.context FROM checks c JOIN patches pa ON pa.id = c.patch_id "
    "JOIN users u ON u.id = c.user_id";

RpcCheck ReadCheck(Statement& q) {
  RpcCheck k;
  k.id = q.Int(0);
  k.date = q.Int(1);
  k.patch_id = q.Int(2);
  k.patch_name = q.Text(3);
  k.user_id = q.Int(4);
  k.username = q.Text(5);
  k.state = static_cast<int>(q.Int(6));
  k.target_url = OptText(q, 7);
  k.description = OptText(q, 8);
  k.context = q.Text(9);
  return k;
}

RpcProject ReadProject(Statement& q) { return {q.Int(0), std::string(q.Text(1)), std::string(q.Text(2))}; }

RpcPerson ReadPerson(Statement& q) {
  return {q.Int(0), std::string(q.Text(1)), OptText(q, 2), OptText(q, 3)};
}

RpcState ReadState(Statement& q) { return {q.Int(0), std::string(q.Text(1))}; }

template <typename Row>
std::optional<Row> First(Connection& c, const std::string& sql, const std::vector<Operand>& binds,
                         Row (*read)(Statement&)) {
  Bound q(c, sql, binds);
  if (!(*q).Step()) return std::nullopt;
  return read(*q);
}

template <typename Row>
std::vector<Row> Some(Connection& c, const std::string& sql, const std::vector<Operand>& binds,
                      Row (*read)(Statement&)) {
  std::vector<Row> out;
  Bound q(c, sql, binds);
  while ((*q).Step()) out.push_back(read(*q));
  return out;
}

std::vector<Operand> SearchBinds(std::optional<std::string_view> text) {
  if (!text) return {};
  return {LikePattern(*text, true, true)};
}

}  // namespace

bool IsTextLookup(Lookup l) {
  switch (l) {
    case Lookup::kIExact: case Lookup::kContains: case Lookup::kIContains:
    case Lookup::kStartsWith: case Lookup::kIStartsWith: case Lookup::kEndsWith:
    case Lookup::kIEndsWith:
      return true;
    default:
      return false;
  }
}

std::string RpcDateText(Micros t) {
  Civil cv = CivilFromMicros(t);
  char buf[40];
  if (cv.micro) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", cv.year, cv.month, cv.day,
                  cv.hour, cv.minute, cv.second, cv.micro);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", cv.year, cv.month, cv.day,
                  cv.hour, cv.minute, cv.second);
  }
  return buf;
}

RpcList<RpcProject> RpcProjects(Connection& c, std::optional<std::string_view> linkname_contains,
                                int64_t max_count) {
  std::string sql = "SELECT id, linkname, name FROM projects";
  if (linkname_contains) sql += " WHERE LOWER(linkname) LIKE LOWER(?1) ESCAPE '\\'";
  return RunList<RpcProject>(c, sql, SearchBinds(linkname_contains), "linkname, id",
                             "linkname DESC, id DESC", max_count, ReadProject);
}

std::optional<RpcProject> RpcProjectById(Connection& c, Id id) {
  return First<RpcProject>(c, "SELECT id, linkname, name FROM projects WHERE id = ?1", {id},
                           ReadProject);
}

RpcList<RpcPerson> RpcPeople(Connection& c, std::optional<std::string_view> contains,
                             int64_t max_count) {
  std::string sql =
      "SELECT pe.id, pe.email, pe.name, u.username FROM people pe "
      "LEFT JOIN users u ON u.id = pe.user_id";
  if (contains) {
    sql += " WHERE LOWER(pe.name) LIKE LOWER(?1) ESCAPE '\\' OR LOWER(pe.email) LIKE LOWER(?1) "
           "ESCAPE '\\'";
  }
  return RunList<RpcPerson>(c, sql, SearchBinds(contains), "pe.id", "pe.id DESC", max_count,
                            ReadPerson);
}

std::optional<RpcPerson> RpcPersonById(Connection& c, Id id) {
  return First<RpcPerson>(c,
                          "SELECT pe.id, pe.email, pe.name, u.username FROM people pe "
                          "LEFT JOIN users u ON u.id = pe.user_id WHERE pe.id = ?1",
                          {id}, ReadPerson);
}

RpcList<RpcState> RpcStates(Connection& c, std::optional<std::string_view> name_contains,
                            int64_t max_count) {
  std::string sql = "SELECT id, name FROM states";
  if (name_contains) sql += " WHERE LOWER(name) LIKE LOWER(?1) ESCAPE '\\'";
  return RunList<RpcState>(c, sql, SearchBinds(name_contains), "ordering", "ordering DESC",
                           max_count, ReadState);
}

std::optional<RpcState> RpcStateById(Connection& c, Id id) {
  return First<RpcState>(c, "SELECT id, name FROM states WHERE id = ?1", {id}, ReadState);
}

std::optional<RpcPatch> RpcPatchById(Connection& c, Id id) {
  return First<RpcPatch>(c, std::string(kPatchSelect) + " WHERE p.id = ?1", {id}, ReadPatch);
}

std::vector<RpcPatch> RpcPatchesByHash(Connection& c, std::string_view hash, int limit) {
  return Some<RpcPatch>(c, std::string(kPatchSelect) + " WHERE p.hash = ?1 ORDER BY p.id LIMIT ?2",
                        {std::string(hash), int64_t{limit}}, ReadPatch);
}

std::vector<RpcPatch> RpcPatchesByProjectHash(Connection& c, std::string_view linkname,
                                              std::string_view hash, int limit) {
  return Some<RpcPatch>(
      c, std::string(kPatchSelect) + " WHERE pr.linkname = ?1 AND p.hash = ?2 ORDER BY p.id LIMIT ?3",
      {std::string(linkname), std::string(hash), int64_t{limit}}, ReadPatch);
}

bool RpcPatchExists(Connection& c, Id id) {
  return QueryInt(c, "SELECT 1 FROM patches WHERE id = ?1", id).has_value();
}

std::optional<std::optional<std::string>> RpcPatchDiff(Connection& c, Id id) {
  Query q(c, "SELECT diff FROM patches WHERE id = ?1", id);
  if (!q.Next()) return std::nullopt;
  return q.OptStr(0);
}

RpcList<RpcPatch> RpcPatches(Connection& c, const std::vector<RpcCondition>& where,
                             int64_t max_count) {
  WhereBuilder w;
  for (const auto& cond : where) w.Add(cond);
  std::function<bool(const RpcPatch&)> keep;
  if (!w.date_terms.empty()) {
    keep = [&terms = w.date_terms](const RpcPatch& p) {
      for (const auto& t : terms) {
        if (!DateMatches(p.date, t)) return false;
      }
      return true;
    };
  }
  return RunList<RpcPatch>(c, kPatchSelect + w.sql, w.binds, "p.date, p.id", "p.date DESC, p.id DESC",
                           max_count, ReadPatch, keep);
}

RpcList<RpcCheck> RpcChecks(Connection& c, const std::vector<RpcCondition>& where,
                            int64_t max_count) {
  WhereBuilder w;
  for (const auto& cond : where) w.Add(cond);
  return RunList<RpcCheck>(c, kCheckSelect + w.sql, w.binds, "c.id", "c.id DESC", max_count,
                           ReadCheck);
}

std::optional<RpcCheck> RpcCheckById(Connection& c, Id id) {
  return First<RpcCheck>(c, std::string(kCheckSelect) + " WHERE c.id = ?1", {id}, ReadCheck);
}

std::vector<RpcCheck> RpcChecksOfPatch(Connection& c, Id patch_id) {
  return Some<RpcCheck>(c, std::string(kCheckSelect) + " WHERE c.patch_id = ?1 ORDER BY c.id",
                        {patch_id}, ReadCheck);
}

std::optional<RpcLogin> RpcUserByUsername(Connection& c, std::string_view username) {
  Query q(c, "SELECT id, username, password, is_active FROM users WHERE username = ?1", username);
  if (!q.Next()) return std::nullopt;
  return RpcLogin{q.Int(0), q.Str(1), q.Str(2), q.Int(3) != 0};
}

std::optional<RpcPatchForEdit> RpcPatchForEditBy(Connection& c, Id patch_id, Id user_id) {
  Query q(c,
          "SELECT p.project_id, p.state_id, p.commit_ref, p.archived, pr.send_notifications, "
          "CASE WHEN pe.user_id = ?2 OR p.delegate_id = ?2 OR EXISTS (SELECT 1 FROM "
          "project_maintainers m WHERE m.project_id = p.project_id AND m.user_id = ?2) "
          "THEN 1 ELSE 0 END "
          "FROM patches p JOIN projects pr ON pr.id = p.project_id "
          "JOIN people pe ON pe.id = p.submitter_id WHERE p.id = ?1",
          patch_id, user_id);
  if (!q.Next()) return std::nullopt;
  RpcPatchForEdit e;
  e.project_id = q.Int(0);
  e.state_id = q.Int(1);
  e.commit_ref = q.OptStr(2);
  e.archived = q.Int(3) != 0;
  e.send_notifications = q.Int(4) != 0;
  e.editable = q.Int(5) != 0;
  return e;
}

void RpcUpdatePatch(Connection& c, Id patch_id, Id state_id,
                    const std::optional<std::string>& commit_ref, bool archived) {
  Query(c, "UPDATE patches SET state_id = ?2, commit_ref = ?3, archived = ?4 WHERE id = ?1",
        patch_id, state_id, commit_ref, archived)
      .Run();
}

void RpcNoteStateChange(Connection& c, Id patch_id, Id from, Id to) {
  auto orig = QueryInt(c, "SELECT orig_state_id FROM patch_change_notifications WHERE patch_id = ?1",
                       patch_id);
  if (!orig) {
    Query(c,
          "INSERT INTO patch_change_notifications (patch_id, last_modified, orig_state_id) "
          "VALUES (?1, ?2, ?3)",
          patch_id, NowMicros(), from)
        .Run();
  } else if (*orig == to) {
    // Back where it started: nothing to tell anyone.
    Query(c, "DELETE FROM patch_change_notifications WHERE patch_id = ?1", patch_id).Run();
  } else {
    Query(c, "UPDATE patch_change_notifications SET last_modified = ?2 WHERE patch_id = ?1",
          patch_id, NowMicros())
        .Run();
  }
}

Id RpcInsertCheck(Connection& c, Id patch_id, Id user_id, int state,
                  const std::optional<std::string>& target_url,
                  const std::optional<std::string>& description, std::string_view context) {
  return QueryInt(c,
                  "INSERT INTO checks (patch_id, user_id, date, state, target_url, description, "
                  "context) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                  patch_id, user_id, NowMicros(), state, target_url, description, context)
      .value();
}

}  // namespace pb::db
