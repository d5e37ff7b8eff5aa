#include "db/read/patches_read.h"

#include <algorithm>
#include <functional>
#include <map>
#include <type_traits>
#include <tuple>
#include <unordered_map>

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kColumns =
    "p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, p.hash, "
    "p.state_id, p.related_id, s.id, s.name, s.email, d.id, d.username, d.first_name, "
    "d.last_name, d.email, sr.id, sr.date, sr.name, sr.version, sr.project_id";
constexpr int kColumnCount = 24;
// What every row shows besides the patch itself (p).
constexpr const char* kEmbedJoins =
    " JOIN people s ON s.id = p.submitter_id"
    " LEFT JOIN users d ON d.id = p.delegate_id"
    " LEFT JOIN series sr ON sr.id = p.series_id";

// The WHERE clause (starting with " WHERE 1=1") shared by count and page.
std::string Where(const PatchFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  const bool owner = f.by_owner_index;
  AddIdFilter(w, args, owner ? "+p.project_id" : "p.project_id", f.projects);
  AddIdFilter(w, args, "p.series_id", f.series);
  AddIdFilter(w, args, "p.submitter_id", f.submitters);
  AddIdFilter(w, args, "p.delegate_id", f.delegates);
  AddIdFilter(w, args, owner ? "+p.state_id" : "p.state_id", f.states);
  if (f.archived) {
    w += owner ? " AND +p.archived = " : " AND p.archived = ";
    w += args.Add(int64_t{*f.archived ? 1 : 0});
  }
  // Stored hashes are lower-case hex, so iexact is equality with the
  // lower-cased value, which keeps the index usable.
  if (f.hash) w += " AND p.hash = " + args.Add(LowerAscii(*f.hash));
  if (f.msgid) w += " AND p.msgid = " + args.Add(*f.msgid);
  if (f.since) w += " AND p.date >= " + args.Add(*f.since);
  if (f.before) w += " AND p.date < " + args.Add(*f.before);
  if (f.no_delegate) w += " AND p.delegate_id IS NULL";
  if (f.submitter_name_contains) {
    w += " AND p.submitter_id IN (SELECT id FROM people WHERE LOWER(name) LIKE " +
         args.Add(LikePattern(*f.submitter_name_contains)) + " ESCAPE '\\')";
  }
  if (f.delegate_username_contains) {
    w += " AND p.delegate_id IN (SELECT id FROM users WHERE LOWER(username) LIKE " +
         args.Add(LikePattern(*f.delegate_username_contains)) + " ESCAPE '\\')";
  }
  if (f.bundle) {
    w += " AND p.id IN (SELECT patch_id FROM bundle_patches WHERE bundle_id = " +
         args.Add(*f.bundle) + ")";
  }
  for (const auto& term : f.search) {
    w += " AND LOWER(p.name) LIKE " + args.Add(LikePattern(term)) +
         " ESCAPE '\\'";
  }
  return w;
}

std::string OrderBy(const PatchFilter& f, std::string* joins, SqlArgs& args) {
  std::string o;
  bool by_id = false;
  for (const auto& t : f.order) {
    const char* col = "p.id";
    switch (t.key) {
      case PatchOrder::kId: col = "p.id"; by_id = true; break;
      case PatchOrder::kName: col = "p.name"; break;
      case PatchOrder::kDate: col = "p.date"; break;
      case PatchOrder::kArchived: col = "p.archived"; break;
      case PatchOrder::kSubmitter: col = "p.submitter_id"; break;
      // Upstream orders related models by their default ordering.
      case PatchOrder::kProject:
        col = "pr.linkname";
        if (joins->find(" pr ") == std::string::npos) *joins += " JOIN projects pr ON pr.id = p.project_id";
        break;
      case PatchOrder::kSubmitterName:
        col = "sp.name";
        if (joins->find(" sp ") == std::string::npos) *joins += " JOIN people sp ON sp.id = p.submitter_id";
        break;
      case PatchOrder::kDelegateName:
        col = "du.username";
        if (joins->find(" du ") == std::string::npos) *joins += " LEFT JOIN users du ON du.id = p.delegate_id";
        break;
      case PatchOrder::kBundlePosition:
        col = "bo.position";
        if (joins->find(" bo ") == std::string::npos) {
          *joins += " JOIN bundle_patches bo ON bo.patch_id = p.id AND bo.bundle_id = " +
                    args.Add(f.bundle.value_or(0));
        }
        break;
      case PatchOrder::kState:
        col = "st.ordering";
        if (joins->find(" st ") == std::string::npos) *joins += " JOIN states st ON st.id = p.state_id";
        break;
    }
    if (!o.empty()) o += ", ";
    o += col;
    if (t.descending) o += " DESC";
    if (t.key == PatchOrder::kId) break;  // unique: later terms cannot matter
  }
  // Ties are broken by ascending id so that pages never overlap or skip
  // rows. Upstream leaves ties to the database; SQLite's sort is stable over
  // rowid order, so ascending id is what upstream users see (git-pw's
  // `patch list --sort -name` lists equal names in id order).
  if (!by_id) {
    o += o.empty() ? "p.id" : ", p.id";
  }
  return " ORDER BY " + o;
}

void ReadRow(Statement& st, PatchRec& p) {
  auto opt = [&st](int i) -> std::optional<std::string> {
    if (st.IsNull(i)) return std::nullopt;
    return std::string(st.Text(i));
  };
  p.id = st.Int(0);
  p.project_id = st.Int(1);
  p.msgid = std::string(st.Text(2));
  p.name = std::string(st.Text(3));
  p.date = st.Int(4);
  p.commit_ref = opt(5);
  p.pull_url = opt(6);
  p.archived = st.Int(7) != 0;
  p.hash = opt(8);
  p.state_id = st.Int(9);
  if (!st.IsNull(10)) p.related_id = st.Int(10);
  p.submitter.id = st.Int(11);
  p.submitter.name = opt(12);
  p.submitter.email = std::string(st.Text(13));
  if (!st.IsNull(14)) {
    p.delegate = UserRec{st.Int(14), std::string(st.Text(15)), std::string(st.Text(16)),
                         std::string(st.Text(17)), std::string(st.Text(18))};
  }
  if (!st.IsNull(19)) {
    p.series = SeriesRef{st.Int(19), st.Int(20), opt(21), static_cast<int>(st.Int(22)),
                         st.IsNull(23) ? std::nullopt : std::optional<Id>(st.Int(23))};
  }
}

// "SELECT <select> FROM patches p" with f's order joins, WHERE and ORDER
// BY. The order's joins come first in the text but may take arguments: the
// placeholders are numbered, so binding order follows Add() order.
std::string OrderedSelect(const PatchFilter& f, std::string_view select, SqlArgs& args) {
  std::string joins;
  std::string order = OrderBy(f, &joins, args);
  std::string where = Where(f, args);
  return "SELECT " + std::string(select) + " FROM patches p" + joins + where + order;
}

// kEmbedJoins for a list page's rows: the submitter by SubmitterJoin, so a
// 100-row page is joined on PostgreSQL without hashing people (on SQLite
// this is kEmbedJoins itself).
const std::string& PageRowJoins(Dialect dialect) {
  static const std::string sqlite = kEmbedJoins;
  static const std::string pg = SubmitterJoin(Dialect::kPostgres, "p.submitter_id") +
                                " LEFT JOIN users d ON d.id = p.delegate_id"
                                " LEFT JOIN series sr ON sr.id = p.series_id";
  return dialect == Dialect::kPostgres ? pg : sqlite;
}

// A one-statement page's rows on PostgreSQL (NumberedPageSelect, ReadPageAlone).
PageRowsSql PostgresPageRows() {
  return PageRowsSql{kColumns, "patches p", PageRowJoins(Dialect::kPostgres), "p.id"};
}

// The same rows without the submitter, delegate and series, which
// EmbedCache completes: their ids only, no joins.
constexpr const char* kLeanColumns =
    "p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, p.hash, "
    "p.state_id, p.related_id, p.submitter_id, p.delegate_id, p.series_id";
constexpr int kLeanColumnCount = 14;

PageRowsSql PostgresLeanPageRows() {
  return PageRowsSql{kLeanColumns, "patches p", "", "p.id", kLeanColumns};
}

// kLeanColumns' row: the embedded records carry their ids only.
void ReadLeanRow(Statement& st, PatchRec& p) {
  p.id = st.Int(0);
  p.project_id = st.Int(1);
  p.msgid = std::string(st.Text(2));
  p.name = std::string(st.Text(3));
  p.date = st.Int(4);
  if (!st.IsNull(5)) p.commit_ref = std::string(st.Text(5));
  if (!st.IsNull(6)) p.pull_url = std::string(st.Text(6));
  p.archived = st.Int(7) != 0;
  if (!st.IsNull(8)) p.hash = std::string(st.Text(8));
  p.state_id = st.Int(9);
  if (!st.IsNull(10)) p.related_id = st.Int(10);
  p.submitter.id = st.Int(11);
  if (!st.IsNull(12)) p.delegate = UserRec{st.Int(12), {}, {}, {}, {}};
  if (!st.IsNull(13)) p.series = SeriesRef{st.Int(13), 0, std::nullopt, 1, std::nullopt};
}

// The page's rows, read by id once the ids are known.
const std::string& RowsSql(Dialect dialect) {
  static const std::string sqlite = std::string("SELECT ") + kColumns + " FROM patches p" +
                                    PageRowJoins(Dialect::kSqlite);
  static const std::string pg = std::string("SELECT ") + kColumns + " FROM patches p" +
                                PageRowJoins(Dialect::kPostgres);
  return dialect == Dialect::kPostgres ? pg : sqlite;
}

// The count's statement, also CountCache's key: one text for the count
// that fills the cache and the look-up that only reads it.
std::string CountSql(const PatchFilter& f, SqlArgs& args) {
  return "SELECT COUNT(*) FROM patches p" + Where(f, args);
}

}  // namespace

int64_t CountPatches(Connection& c, const PatchFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::optional<int64_t> CachedPatchCount(const PatchFilter& f, const CountCache& cache,
                                        int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CountIfCached(sql, args, cache, generation);
}

namespace {

// The ids of the first `need` patches of `f` (at most), in f's order.
std::vector<Id> FirstIds(Connection& c, const PatchFilter& f, int64_t need) {
  SqlArgs args;
  std::string sql = OrderedSelect(f, "p.id", args);
  sql += " LIMIT " + args.Add(need);
  DynQuery q(c, sql, args);
  std::vector<Id> out;
  while (q.st().Step()) out.push_back(q.st().Int(0));
  return out;
}

// `ids` narrowed by an existing filter on the same column.
std::vector<Id> Within(std::vector<Id> ids, const std::optional<std::vector<Id>>& filter) {
  if (!filter) return ids;
  std::erase_if(ids, [&](Id id) { return std::find(filter->begin(), filter->end(), id) == filter->end(); });
  return ids;
}

// An order led by the submitter's name or the delegate's username sorts
// every matching row in SQL (the name is in another table, so no patches
// index gives it): seconds on a big project, after every write. A shallow
// page walks the names in order instead, a growing chunk of people / users
// at a time (complete name groups only, so equal names stay together), and
// sorts only the patches of the names walked, until the page is full.
constexpr int64_t kNameWalkMaxRows = 1000;  // deeper pages read the whole list once per generation

bool WalksNames(const PatchFilter& f, int64_t need) {
  return !f.order.empty() && need <= kNameWalkMaxRows &&
         (f.order[0].key == PatchOrder::kSubmitterName || f.order[0].key == PatchOrder::kDelegateName);
}

std::vector<Id> NameWalkIds(Connection& c, const PatchFilter& f, int64_t need) {
  const bool delegate = f.order[0].key == PatchOrder::kDelegateName;
  const bool desc = f.order[0].descending;
  std::vector<Id> out;
  // Patches without a delegate sort as NULL: first in SQLite's ascending
  // order, last in PostgreSQL's (and the other way round descending).
  // Within that group the name term is constant, so it is left out.
  auto no_delegate_group = [&] {
    if (f.delegates || static_cast<int64_t>(out.size()) >= need) return;
    PatchFilter g = f;
    g.no_delegate = true;
    g.order.erase(g.order.begin());
    auto ids = FirstIds(c, g, need - static_cast<int64_t>(out.size()));
    out.insert(out.end(), ids.begin(), ids.end());
  };
  bool nulls_low = c.dialect() == Dialect::kSqlite;
  bool nulls_first = delegate && nulls_low != desc;
  if (nulls_first) no_delegate_group();
  if (!(delegate && f.no_delegate)) {
    std::string walk = delegate ? "SELECT id, username FROM users ORDER BY username"
                                : "SELECT id, name FROM people ORDER BY name";
    walk += desc ? " DESC, id LIMIT ?1 OFFSET ?2" : ", id LIMIT ?1 OFFSET ?2";
    std::vector<std::pair<Id, std::optional<std::string>>> held;  // an unfinished name group
    // One name first: a prolific submitter alone may fill the page.
    int64_t chunk = 1, pos = 0;
    while (static_cast<int64_t>(out.size()) < need) {
      std::vector<std::pair<Id, std::optional<std::string>>> rows = std::move(held);
      held.clear();
      int64_t got = 0;
      {
        Query q(c, walk, chunk, pos);
        while (q.Next()) {
          rows.emplace_back(q.Int(0), q.OptStr(1));
          ++got;
        }
      }
      pos += got;
      bool end = got < chunk;
      // The last name may go on in the next chunk: hold its group back.
      if (!end) {
        const auto last = rows.back().second;
        while (!rows.empty() && rows.back().second == last) {
          held.insert(held.begin(), rows.back());
          rows.pop_back();
        }
      }
      std::vector<Id> ids;
      for (const auto& r : rows) ids.push_back(r.first);
      ids = Within(std::move(ids), delegate ? f.delegates : f.submitters);
      if (!ids.empty()) {
        PatchFilter g = f;
        (delegate ? g.delegates : g.submitters) = std::move(ids);
        g.by_owner_index = true;
        auto page = FirstIds(c, g, need - static_cast<int64_t>(out.size()));
        out.insert(out.end(), page.begin(), page.end());
      }
      if (end) break;
      chunk = std::min<int64_t>(chunk * 2, 4096);
    }
  }
  if (delegate && !nulls_first) no_delegate_group();
  return out;
}

}  // namespace

namespace {

// The ids of one page of `f`, in order.
std::vector<Id> PagePatchIds(Connection& c, const PatchFilter& f, int64_t limit, int64_t offset,
                             OrderedIdCache* ids, int64_t generation) {
  if (WalksNames(f, offset + limit)) {
    // The walk costs many small queries: keep its result for the generation,
    // like the ordered ids of deeper pages, so only the first request after
    // a write walks.
    std::string key;
    if (ids && generation >= 0) {
      SqlArgs args;
      std::string sql = OrderedSelect(f, "p.id", args);
      key = "name walk " + std::to_string(offset + limit) + '\n' + sql + '\n' + args.Key();
    }
    OrderedIdCache::Ids first;
    if (key.empty() || !ids->Lookup(key, generation, &first) || !first) {
      first = std::make_shared<const std::vector<Id>>(NameWalkIds(c, f, offset + limit));
      if (!key.empty()) ids->Put(key, generation, first);
    }
    std::vector<Id> page;
    if (static_cast<int64_t>(first->size()) > offset) page.assign(first->begin() + offset, first->end());
    return page;
  }
  // The OFFSET walk selects ids only (index-only with the migration-2
  // indexes); the joins and wide columns are read for the page's rows alone.
  SqlArgs args;
  std::string sql = OrderedSelect(f, "p.id AS pid", args);
  return PageIds(c, sql, args, limit, offset, ids, generation);
}

// The statement of the combined check state (spec §1.2 Check) of `ids`.
std::string ChecksSql(SqlArgs& args, const std::vector<Id>& ids) {
  return "SELECT patch_id, user_id, context, state, date FROM checks WHERE patch_id IN " +
         InPlaceholders(args, ids) + " ORDER BY patch_id, id";
}

// The combined check state (spec §1.2 Check) of patches, fed their checks
// in (patch_id, id) order: the latest check per (user, context) counts; a
// later check replaces an earlier one unless the earlier one has the
// greater date. Fed by ChecksSql's rows, or by the one-statement detail's.
class CheckStates {
 public:
  void Add(Id patch_id, Id user_id, std::string context, int state, Micros date) {
    auto key = std::make_tuple(patch_id, user_id, std::move(context));
    Latest l{state, date};
    auto it = latest_.find(key);
    if (it != latest_.end() && it->second.date > l.date) return;
    latest_[key] = l;
  }
  void Apply(std::unordered_map<Id, std::vector<PatchRec*>>& by_id) const {
    std::unordered_map<Id, unsigned> seen;  // bit per state
    for (const auto& [key, l] : latest_) {
      if (l.state >= 0 && l.state < 8) seen[std::get<0>(key)] |= 1u << l.state;
    }
    for (const auto& [pid, bits] : seen) {
      const char* s = (bits & 8) ? "fail" : (bits & 4) ? "warning" : (bits & 1) ? "pending" : "success";
      for (auto* p : by_id[pid]) p->check_state = s;
    }
  }

 private:
  struct Latest {
    int state;
    Micros date;
  };
  std::map<std::tuple<Id, Id, std::string>, Latest> latest_;
};

// Each patch's check_state from the rows of ChecksSql.
void ApplyCheckStates(Statement& st, std::unordered_map<Id, std::vector<PatchRec*>>& by_id) {
  CheckStates states;
  while (st.Step()) {
    states.Add(st.Int(0), st.Int(1), std::string(st.Text(2)), static_cast<int>(st.Int(3)),
               st.Int(4));
  }
  states.Apply(by_id);
}

// Fills `related` of every patch that has a relation (one statement).
void LoadRelated(Connection& c, const std::vector<PatchRec*>& patches) {
  std::vector<Id> relations;
  std::unordered_map<Id, std::vector<PatchRec*>> by_relation;
  for (auto* p : patches) {
    if (!p->related_id) continue;
    if (by_relation[*p->related_id].empty()) relations.push_back(*p->related_id);
    by_relation[*p->related_id].push_back(p);
  }
  if (relations.empty()) return;
  SqlArgs args;
  std::string sql =
      "SELECT related_id, id, project_id, msgid, name, date FROM patches WHERE related_id IN " +
      InPlaceholders(args, relations) + " ORDER BY date, id";
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    PatchRef r{q.st().Int(1), q.st().Int(2), std::string(q.st().Text(3)),
               std::string(q.st().Text(4)), q.st().Int(5)};
    for (auto* p : by_relation[q.st().Int(0)]) {
      if (p->id != r.id) p->related.push_back(r);
    }
  }
}

// `read_rows()` (the rows of the patches `ids`, as a vector or an optional)
// with LoadPatchExtras done, the checks' statement sent ahead so that it
// rides with the rows' statement: one round trip for both on PostgreSQL.
template <typename ReadRows>
auto WithExtras(Connection& c, const std::vector<Id>& ids, ReadRows read_rows) {
  std::optional<DynQuery> checks;
  SqlArgs args;
  if (!ids.empty()) {
    checks.emplace(c, ChecksSql(args, ids), args);
    checks->st().Prefetch();
  }
  auto rows = read_rows();
  std::vector<PatchRec*> patches;
  if constexpr (std::is_same_v<decltype(rows), std::optional<PatchRec>>) {
    if (rows) patches.push_back(&*rows);
  } else {
    for (auto& r : rows) patches.push_back(&r);
  }
  if (patches.empty()) return rows;
  std::unordered_map<Id, std::vector<PatchRec*>> by_id;
  for (auto* p : patches) by_id[p->id].push_back(p);
  ApplyCheckStates(checks->st(), by_id);
  checks.reset();
  LoadRelated(c, patches);
  return rows;
}

}  // namespace

std::vector<PatchRec> ListPatches(Connection& c, const PatchFilter& f, int64_t limit,
                                  int64_t offset, OrderedIdCache* ids, int64_t generation) {
  return ReadRowsByIds<PatchRec>(c, PagePatchIds(c, f, limit, offset, ids, generation), RowsSql(c.dialect()),
                                 "p.id", ReadRow);
}

namespace {

// PostgreSQL, a page that walks OFFSET (no id cache, no name walk): its rows
// and its checks in one round trip of two statements, instead of two round
// trips of three (the ids, then the checks sent ahead of the rows). Both
// statements select PagePatchIds' ids themselves, as a subquery: the rows
// carry their place in it (PageIdsInFront's i.n) and are put in that order
// here (ReadNumberedRows; an ORDER BY i.n cost the server a Sort of the
// wide rows, §9l), the checks are ChecksSql's with the subquery for the id list, so
// CheckStates is fed exactly what it was fed before. The snapshot makes both
// statements see the same ids. Packing the checks into the rows' statement
// (string_agg per row, like GetPatchAlone) was measured too: it cost the
// server as much as the two statements (§9j). SQLite keeps the ids'
// statement: there a statement is a function call, not a wait.
std::vector<PatchRec> PageInOneTrip(Connection& c, const PatchFilter& f, int64_t limit,
                                    int64_t offset) {
  SqlArgs args;
  std::string ids = OrderedSelect(f, "p.id AS pid", args);
  ids += LimitOffset(c.dialect(), args, limit, offset);
  DynQuery checks(c,
                  "SELECT patch_id, user_id, context, state, date FROM checks WHERE patch_id IN (" +
                      ids + ") ORDER BY patch_id, id",
                  args);
  checks.st().Prefetch();
  std::string sql = NumberedPageSelect(kColumns, ids, PostgresPageRows());
  std::vector<PatchRec> rows;
  {
    DynQuery q(c, sql, args);
    rows = ReadNumberedRows<PatchRec>(q.st(), kColumnCount, ReadRow);
  }
  std::unordered_map<Id, std::vector<PatchRec*>> by_id;
  std::vector<PatchRec*> patches;
  for (auto& r : rows) {
    by_id[r.id].push_back(&r);
    patches.push_back(&r);
  }
  ApplyCheckStates(checks.st(), by_id);
  LoadRelated(c, patches);
  return rows;
}

}  // namespace

std::vector<PatchRec> ListPatchesWithExtras(Connection& c, const PatchFilter& f, int64_t limit,
                                            int64_t offset, OrderedIdCache* ids,
                                            int64_t generation, EmbedCache* embeds) {
  std::vector<PatchRec> rows;
  // PagePatchIds/PageIds walk OFFSET in SQL exactly when this holds.
  const bool walks_offset = !WalksNames(f, offset + limit) && !PageFromIdCache(ids, offset, generation);
  if (c.dialect() == Dialect::kPostgres && walks_offset) {
    rows = PageInOneTrip(c, f, limit, offset);
  } else {
    std::vector<Id> page = PagePatchIds(c, f, limit, offset, ids, generation);
    rows = WithExtras(c, page, [&] { return ReadRowsByIds<PatchRec>(c, page, RowsSql(c.dialect()), "p.id", ReadRow); });
  }
  // Only ListPatchesAlone (PostgreSQL) reads pages without their people
  // (and deep ones without their checks).
  if (embeds && c.dialect() == Dialect::kPostgres) {
    embeds->Keep(generation, rows);
    embeds->KeepCheckStates(generation, rows);
  }
  return rows;
}

namespace {

const std::string& PatchSql() {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 ", p.headers, p.content, p.diff FROM patches p" + kEmbedJoins +
                                 " WHERE p.id = ?1";
  return sql;
}

std::optional<PatchRec> ReadPatch(Statement& st) {
  if (!st.Step()) return std::nullopt;
  PatchRec p;
  ReadRow(st, p);
  p.headers = std::string(st.Text(kColumnCount));
  if (!st.IsNull(kColumnCount + 1)) p.content = std::string(st.Text(kColumnCount + 1));
  if (!st.IsNull(kColumnCount + 2)) p.diff = std::string(st.Text(kColumnCount + 2));
  return p;
}

}  // namespace

std::optional<PatchRec> GetPatchWithExtras(Connection& c, Id id,
                                           const std::function<void()>& meanwhile) {
  // The checks and the patch are both sent ahead (with the snapshot's
  // BEGIN on PostgreSQL), then `meanwhile`'s statements go in the same
  // pipeline: one round trip for all of them.
  SqlArgs check_args;
  DynQuery checks(c, ChecksSql(check_args, {id}), check_args);
  checks.st().Prefetch();
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, PatchSql(), args);
  q.st().Prefetch();
  if (meanwhile) meanwhile();
  std::optional<PatchRec> p = ReadPatch(q.st());
  if (!p) return p;
  std::unordered_map<Id, std::vector<PatchRec*>> by_id;
  by_id[p->id].push_back(&*p);
  ApplyCheckStates(checks.st(), by_id);
  LoadRelated(c, {&*p});
  return p;
}

namespace {

// The patch's checks (as PackedChecksSql packs them) and relation (as
// PackedRelatedSql does) from columns `column` and `column + 1`: its
// check_state and related, as LoadPatchExtras gives them. The packing
// promises no order: ChecksSql's (by id) and LoadRelated's (by date, id)
// are restored here.
void ReadPackedExtras(Statement& st, int column, PatchRec& p) {
  std::string_view packed_checks = st.Text(column);
  if (!packed_checks.empty()) {
    struct Check {
      Id id, user_id;
      int state;
      Micros date;
      std::string context;
    };
    std::vector<Check> checks;
    for (PackedFields f(packed_checks); !f.done();) {
      Check ch;
      ch.id = f.Int();
      ch.user_id = f.Int();
      ch.state = static_cast<int>(f.Int());
      ch.date = f.Int();
      ch.context = f.Text();
      checks.push_back(std::move(ch));
    }
    std::sort(checks.begin(), checks.end(), [](const Check& a, const Check& b) { return a.id < b.id; });
    CheckStates states;
    for (auto& ch : checks) states.Add(p.id, ch.user_id, std::move(ch.context), ch.state, ch.date);
    std::unordered_map<Id, std::vector<PatchRec*>> by_id;
    by_id[p.id].push_back(&p);
    states.Apply(by_id);
  }
  if (st.IsNull(column + 1)) return;
  for (PackedFields f(st.Text(column + 1)); !f.done();) {
    PatchRef r = ReadPackedPatchRef(f);
    if (r.id != p.id) p.related.push_back(std::move(r));
  }
  std::sort(p.related.begin(), p.related.end(), [](const PatchRef& a, const PatchRef& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  });
}

// A patch's checks packed into one text (PackedSql): "id user_id state
// date " and the context.
const std::string& PackedChecksSql() {
  static const std::string sql =
      PackedSql("c.id || ' ' || c.user_id || ' ' || c.state || ' ' || c.date || ' ' ||"
                " length(c.context) || ':' || c.context",
                "FROM checks c WHERE c.patch_id = p.id");
  return sql;
}

// A patch's relation packed into one text (PackedSql, PackedPatchRefSql),
// itself included.
const std::string& PackedRelatedSql() {
  static const std::string sql =
      PackedSql(PackedPatchRefSql("r"), "FROM patches r WHERE r.related_id = p.related_id");
  return sql;
}

// GetPatchAlone's statement (PostgreSQL): PatchSql's row, so ReadRow
// reads it, then the generation and the patch's checks and relation packed
// into one text each (PackedSql, read by PackedFields), so that one row
// carries all of it. A UNION ALL of typed rows was tried first: its
// 39-column branches cost the server more to set up than the statements it
// replaced (§9i). The delegate is looked up by key behind OFFSET 0: the
// plain LEFT JOIN of users was planned as a hash join (users is one page),
// a hash table built per detail for one row (§9l).
const std::string& PatchAloneSelect() {
  static const std::string sql =
      std::string("SELECT ") + kColumns +
      ", p.headers, p.content, p.diff,"
      " " + kGenerationColumn + ", " + PackedChecksSql() + ", " +
      PackedRelatedSql() +
      " FROM patches p JOIN people s ON s.id = p.submitter_id"
      " LEFT JOIN LATERAL (SELECT id, username, first_name, last_name, email FROM users"
      " WHERE id = p.delegate_id OFFSET 0) d ON TRUE"
      " LEFT JOIN series sr ON sr.id = p.series_id";
  return sql;
}

const std::string& PatchAloneSql() {
  static const std::string sql = PatchAloneSelect() + " WHERE p.id = ?1";
  return sql;
}

// The current row of PatchAloneSql's (or GetPatchesAlone's) statement.
PatchAlone ReadPatchAlone(Statement& st) {
  PatchAlone out;
  PatchRec& p = out.patch.emplace();
  ReadRow(st, p);
  p.headers = std::string(st.Text(kColumnCount));
  if (!st.IsNull(kColumnCount + 1)) p.content = std::string(st.Text(kColumnCount + 1));
  if (!st.IsNull(kColumnCount + 2)) p.diff = std::string(st.Text(kColumnCount + 2));
  out.generation = st.Int(kColumnCount + 3);
  ReadPackedExtras(st, kColumnCount + 4, p);
  return out;
}

}  // namespace

PatchAlone GetPatchAlone(Connection& c, Id id) {
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, PatchAloneSql(), args);
  Statement& st = q.st();
  if (!st.Step()) return {};
  return ReadPatchAlone(st);
}

std::unordered_map<Id, PatchAlone> GetPatchesAlone(Connection& c, const std::vector<Id>& ids) {
  std::unordered_map<Id, PatchAlone> out;
  if (ids.empty()) return out;
  if (ids.size() == 1) {
    // The one-id statement: a lone request costs what it did before.
    PatchAlone one = GetPatchAlone(c, ids[0]);
    if (one.patch) out.emplace(ids[0], std::move(one));
    return out;
  }
  // Padded to a power of two (InPlaceholders), so that a handful of texts
  // are prepared whatever the batch sizes; PostgreSQL reads an IN list
  // through the primary key as `= ANY(array)`, one index scan.
  SqlArgs args;
  std::string sql = PatchAloneSelect() + " WHERE p.id IN " + InPlaceholders(args, ids);
  DynQuery q(c, sql, args);
  Statement& st = q.st();
  out.reserve(ids.size());
  while (st.Step()) {
    PatchAlone row = ReadPatchAlone(st);
    Id id = row.patch->id;
    out.emplace(id, std::move(row));
  }
  return out;
}

std::optional<PageAlone<PatchRec>> ListPatchesAlone(Connection& c, const PatchFilter& f,
                                                    int64_t limit, int64_t offset,
                                                    OrderedIdCache* ids, int64_t generation,
                                                    EmbedCache* embeds) {
  // The name walk is many statements (and keeps its ids under another key).
  if (WalksNames(f, offset + limit)) return std::nullopt;
  SqlArgs args;
  std::string select_ids = OrderedSelect(f, "p.id AS pid", args);
  // The checks and the relation ride in the row, packed as in
  // GetPatchAlone; the relation only for a patch that has one (most have
  // none: no subquery run for them).
  static const std::string related = ", CASE WHEN p.related_id IS NULL THEN NULL ELSE " +
                                     PackedRelatedSql() + " END";
  static const std::string extra = ", " + PackedChecksSql() + related;
  // The same columns with no checks packed (the empty text: none).
  static const std::string extra_no_checks = ", ''" + related;
  if (embeds) {
    // The rows without their people, users and series, which `embeds`
    // completes when it holds them at the generation the statement read;
    // a write since (another generation) goes back to the caller as it is.
    // A deep page's ids are known before the statement is sent: when
    // `embeds` holds the check states of all of them at `generation`, the
    // statement reads no checks, and the states come from `embeds` too
    // (exact when the statement's generation is `generation`, as below).
    // A shallow page's ids are known the same way once it was served at
    // `generation` (EmbedCache::PageIds); its statement still walks.
    std::optional<std::vector<Id>> known = CachedPageIds(select_ids, args, limit, offset, ids, generation);
    std::string shallow;
    if (!known) {
      shallow = CacheKey(select_ids, args) + '\n' + std::to_string(limit) + ' ' + std::to_string(offset);
      known = embeds->PageIds(generation, shallow);
    }
    const bool states_kept = known && embeds->KeepsCheckStates(generation, *known);
    auto lean = ReadPageAlone<PatchRec>(c, select_ids, args, limit, offset, ids, generation,
                                        PostgresLeanPageRows(), states_kept ? extra_no_checks : extra, 2,
                                        [](Statement& st, PatchRec& p) {
                                          ReadLeanRow(st, p);
                                          ReadPackedExtras(st, kLeanColumnCount + 1, p);
                                        });
    if (!lean || lean->generation != generation) return lean;
    bool states = true;
    if (states_kept) {
      // False only when a newer generation emptied `embeds` meanwhile.
      states = embeds->FillCheckStates(generation, lean->rows);
    } else {
      embeds->KeepCheckStates(generation, lean->rows);
    }
    if (states && embeds->Fill(generation, lean->rows)) {
      if (!shallow.empty() && !states_kept) {
        std::vector<Id> page;
        page.reserve(lean->rows.size());
        for (const auto& p : lean->rows) page.push_back(p.id);
        embeds->KeepPageIds(generation, shallow, std::move(page));
      }
      return lean;
    }
  }
  auto full = ReadPageAlone<PatchRec>(
      c, select_ids, args, limit, offset, ids, generation,
      PostgresPageRows(), extra, 2,
      [](Statement& st, PatchRec& p) {
        ReadRow(st, p);
        ReadPackedExtras(st, kColumnCount + 1, p);
      });
  if (full && embeds) {
    embeds->Keep(full->generation, full->rows);
    embeds->KeepCheckStates(full->generation, full->rows);
  }
  return full;
}

std::optional<PatchRec> GetPatch(Connection& c, Id id) {
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, PatchSql(), args);
  return ReadPatch(q.st());
}

void LoadPatchExtras(Connection& c, std::vector<PatchRec*> patches) {
  if (patches.empty()) return;
  std::unordered_map<Id, std::vector<PatchRec*>> by_id;
  std::vector<Id> ids = GroupById(patches, by_id);
  {
    SqlArgs args;
    DynQuery q(c, ChecksSql(args, ids), args);
    ApplyCheckStates(q.st(), by_id);
  }
  LoadRelated(c, patches);
}

std::optional<Id> PatchProjectId(Connection& c, Id patch_id) {
  return QueryInt(c, "SELECT project_id FROM patches WHERE id = ?1", patch_id);
}

}  // namespace pb::db::read
