// Dynamic WHERE clauses with numbered placeholders. The Query wrapper binds a
// fixed argument list; filters are only known at run time, so they collect
// their arguments here and bind them in order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "db/connection.h"
#include "db/read/catalog.h"
#include "db/read/page_ids.h"
#include "db/read/rows.h"

namespace pb::db::read {

// Reads a text column that SQL packed from several rows (PostgreSQL's
// string_agg or PackedSql, docs/performance.md §9i, §9l): integers as "123 ", texts as
// "<length>:<text>", so any character may occur in a text. The length is in
// characters (SQL's length()), not bytes: the text arrives converted to the
// connection's UTF-8, so a byte count taken in another server encoding
// would not match, while a character count does. Malformed input throws.
class PackedFields {
 public:
  explicit PackedFields(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  int64_t Int() {
    size_t end = s_.find(' ', pos_);
    if (end == std::string_view::npos || end == pos_) Malformed();
    int64_t v = 0;
    bool neg = s_[pos_] == '-';
    for (size_t i = pos_ + (neg ? 1 : 0); i < end; ++i) {
      if (s_[i] < '0' || s_[i] > '9') Malformed();
      v = v * 10 + (s_[i] - '0');
    }
    pos_ = end + 1;
    return neg ? -v : v;
  }
  std::string Text() {
    size_t colon = s_.find(':', pos_);
    if (colon == std::string_view::npos || colon == pos_) Malformed();
    size_t n = 0;
    for (size_t i = pos_; i < colon; ++i) {
      if (s_[i] < '0' || s_[i] > '9') Malformed();
      n = n * 10 + static_cast<size_t>(s_[i] - '0');
    }
    size_t at = colon + 1;
    for (size_t i = 0; i < n; ++i) {  // n UTF-8 characters
      if (at >= s_.size()) Malformed();
      auto lead = static_cast<unsigned char>(s_[at]);
      at += lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    }
    if (at > s_.size()) Malformed();
    pos_ = at;
    return std::string(s_.substr(colon + 1, at - colon - 1));
  }

 private:
  [[noreturn]] static void Malformed() {
    throw DbError(DbError::Kind::kGeneric, "malformed packed column");
  }
  std::string_view s_;
  size_t pos_ = 0;
};

// The one packed text of `expr` over the rows of `from_where` (a scalar
// subquery, PostgreSQL): array_to_string(ARRAY(SELECT …), '') rather than
// (SELECT string_agg(…, '') …). Both concatenate the same texts and skip
// NULLs; for no rows this gives '' where string_agg gives NULL, and
// PackedFields reads both as nothing. An ARRAY sublink needs no Aggregate
// node, whose set-up (the transition expressions) was a tenth of the
// server's CPU per detail: with the delegate's lookup below, the patch
// detail's statement costs 20-30 % less (docs/performance.md §9l). No order
// is promised either way: callers sort.
inline std::string PackedSql(std::string_view expr, std::string_view from_where) {
  return "array_to_string(ARRAY(SELECT " + std::string(expr) + " " + std::string(from_where) + "), '')";
}

// The patches embedded in a detail (a patch's related patches, a series'
// patches), one text per row aliased `alias` for PackedSql: "id project
// date " then msgid and name as PackedFields texts. ReadPackedPatchRef reads
// one back.
inline std::string PackedPatchRefSql(std::string_view alias) {
  const std::string a(alias);
  return a + ".id || ' ' || " + a + ".project_id || ' ' || " + a + ".date || ' ' || length(" + a +
         ".msgid) || ':' || " + a + ".msgid || length(" + a + ".name) || ':' || " + a + ".name";
}

inline PatchRef ReadPackedPatchRef(PackedFields& f) {
  PatchRef r;
  r.id = f.Int();
  r.project_id = f.Int();
  r.date = f.Int();
  r.msgid = f.Text();
  r.name = f.Text();
  return r;
}

// The submitter join of a list page's rows (alias s: id, name, email), by
// `fk`. PostgreSQL joins more than about 50 rows to people by hashing the
// whole table (its default costs take each primary-key lookup for a disk
// read): a 100-row page of patches, covers or series scanned all 6,024 people
// of the 1M benchmark, 1.5 ms per request (docs/performance.md §9i). Behind
// OFFSET 0 the lookup is a subquery the planner keeps, one primary-key
// lookup per row as on SQLite at any page size. SQLite (no LATERAL) keeps
// the plain join.
inline std::string SubmitterJoin(Dialect dialect, std::string_view fk) {
  if (dialect != Dialect::kPostgres) return " JOIN people s ON s.id = " + std::string(fk);
  return " JOIN LATERAL (SELECT id, name, email FROM people WHERE id = " + std::string(fk) +
         " OFFSET 0) s ON TRUE";
}

class SqlArgs {
 public:
  // Appends a value; returns its placeholder text ("?3").
  std::string Add(int64_t v) { args_.emplace_back(v); return Next(); }
  std::string Add(std::string v) { args_.emplace_back(std::move(v)); return Next(); }
  size_t size() const { return args_.size(); }

  void BindAll(Statement& st) const {
    int i = 1;
    for (const auto& a : args_) {
      if (const auto* n = std::get_if<int64_t>(&a)) st.BindInt(i++, *n);
      else st.BindText(i++, std::get<std::string>(a));
    }
  }
  // A stable text form, used as a cache key together with the SQL.
  std::string Key() const {
    std::string k;
    for (const auto& a : args_) {
      if (const auto* n = std::get_if<int64_t>(&a)) {
        k += 'i';
        k += std::to_string(*n);
      } else {
        const auto& s = std::get<std::string>(a);
        k += 's';
        k += std::to_string(s.size());
        k += ':';
        k += s;
      }
      k += '|';
    }
    return k;
  }

 private:
  std::string Next() const {
    std::string s(1, '?');
    s += std::to_string(args_.size());
    return s;
  }
  std::vector<std::variant<int64_t, std::string>> args_;
};

// "IN (...)" lists for batched loads. The list is padded (by repeating the
// last id) to a power of two so that a connection caches at most a handful
// of statement texts per query instead of one per page size.
// Rows grouped by id for a batched `IN (...)` read of their extras: the
// distinct ids in first-seen order (for InPlaceholders), each id's rows in
// `by_id`.
template <typename Row>
std::vector<Id> GroupById(const std::vector<Row*>& rows,
                          std::unordered_map<Id, std::vector<Row*>>& by_id) {
  std::vector<Id> ids;
  for (auto* r : rows) {
    auto& group = by_id[r->id];
    if (group.empty()) ids.push_back(r->id);
    group.push_back(r);
  }
  return ids;
}

inline std::string InPlaceholders(SqlArgs& args, const std::vector<int64_t>& ids) {
  size_t n = 1;
  while (n < ids.size()) n *= 2;
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += args.Add(ids.empty() ? int64_t{0} : ids[std::min(i, ids.size() - 1)]);
  }
  s += ')';
  return s;
}

// " AND <column> = ?n" (one id) or " AND <column> IN (...)" for a resolved
// model-choice filter; nothing when the filter is unset.
inline void AddIdFilter(std::string& where, SqlArgs& args, std::string_view column,
                        const std::optional<std::vector<int64_t>>& ids) {
  if (!ids) return;
  where += " AND ";
  where += column;
  if (ids->size() == 1) {
    where += " = " + args.Add((*ids)[0]);
  } else {
    where += " IN " + InPlaceholders(args, *ids);
  }
}

// "%term%" for `lower(column) LIKE ? ESCAPE '\'`: LIKE metacharacters
// escaped, ASCII lower-cased like the column (portable: no reliance on
// SQLite's case-insensitive LIKE).
inline std::string LikePattern(std::string_view term) {
  std::string out = "%";
  for (char ch : term) {
    if (ch == '\\' || ch == '%' || ch == '_') out += '\\';
    out += ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  out += '%';
  return out;
}

// A cached statement bound to dynamic arguments, reset when it goes out of
// scope (the Query wrapper's contract for statements built at run time).
class DynQuery {
 public:
  DynQuery(Connection& c, const std::string& sql, const SqlArgs& args) : st_(c.Prepare(sql)) {
    args.BindAll(st_);
  }
  ~DynQuery() { st_.Reset(); }
  DynQuery(const DynQuery&) = delete;
  DynQuery& operator=(const DynQuery&) = delete;
  Statement& st() { return st_; }

 private:
  Statement& st_;
};

// " LIMIT n" / " LIMIT n OFFSET m" for a statement prepared once per
// connection. PostgreSQL plans a statement whose LIMIT or OFFSET is a
// parameter afresh on every run: its generic plan must assume an unknown
// limit reads 10 % of the rows, so it never beats a custom plan (measured at
// 1M patches: 0.22 ms of planning per list page for 0.04 ms of execution,
// and 67 ms per poll of the event stream). With literals it keeps one
// generic plan per text. Offsets from kMaxLiteralOffset on stay parameters,
// so that deep pages of lists without an id cache do not each prepare a
// text of their own. SQLite plans once per text either way: parameters.
inline constexpr int64_t kMaxLiteralOffset = 1000;
inline std::string LimitOffset(Dialect dialect, SqlArgs& args, int64_t limit,
                               std::optional<int64_t> offset = std::nullopt) {
  const bool literal = dialect == Dialect::kPostgres;
  std::string s = " LIMIT " + (literal ? std::to_string(limit) : args.Add(limit));
  if (!offset) return s;
  s += " OFFSET ";
  s += literal && *offset < kMaxLiteralOffset ? std::to_string(*offset) : args.Add(*offset);
  return s;
}

// The key of what `sql` with `args` answers in a per-generation cache (a
// CountCache's count, an OrderedIdCache's ordered ids).
inline std::string CacheKey(const std::string& sql, const SqlArgs& args) {
  return sql + '\n' + args.Key();
}

// COUNT(*) by `sql` with `args`, served from `cache` while `generation` holds.
inline int64_t CachedCount(Connection& c, const std::string& sql, const SqlArgs& args,
                           CountCache* cache, int64_t generation) {
  std::string key;
  int64_t n = 0;
  if (cache) {
    key = CacheKey(sql, args);
    if (cache->Get(key, generation, &n)) return n;
  }
  {
    DynQuery q(c, sql, args);
    n = q.st().Step() ? q.st().Int(0) : 0;
  }
  if (cache) cache->Put(key, generation, n);
  return n;
}

// CachedCount's answer when `cache` holds it for `generation`; nullopt
// otherwise (nothing runs). For a page rendered before its generation is
// confirmed (ReadPageAlone), which must not count, nor Put anything.
inline std::optional<int64_t> CountIfCached(const std::string& sql, const SqlArgs& args,
                                            const CountCache& cache, int64_t generation) {
  int64_t n = 0;
  if (!cache.Get(CacheKey(sql, args), generation, &n)) return std::nullopt;
  return n;
}

// Whether PageIds serves a page from `cache` (else it walks OFFSET in SQL).
inline bool PageFromIdCache(const OrderedIdCache* cache, int64_t offset, int64_t generation) {
  return cache && generation >= 0 && offset >= cache->min_offset();
}

// Rows `LIMIT limit OFFSET offset` of cached ordered `ids` (empty past the end).
inline std::vector<Id> PageOfIds(const std::vector<Id>& ids, int64_t limit, int64_t offset) {
  size_t from = std::min(ids.size(), static_cast<size_t>(offset));
  size_t to = std::min(ids.size(), from + static_cast<size_t>(limit));
  return std::vector<Id>(ids.begin() + static_cast<ptrdiff_t>(from),
                         ids.begin() + static_cast<ptrdiff_t>(to));
}

// The ids of the rows `LIMIT limit OFFSET offset` of `select_ids` ("SELECT
// x.id FROM <table> x WHERE ... ORDER BY ..."; its arguments are `args`),
// in order. With an index covering the filter and order the OFFSET walk
// never touches the (wide) table rows. With `cache`, deep pages are a slice
// of the cached ordered ids instead (see page_ids.h).
inline std::vector<Id> PageIds(Connection& c, const std::string& select_ids, const SqlArgs& args,
                               int64_t limit, int64_t offset, OrderedIdCache* cache,
                               int64_t generation) {
  std::vector<Id> page;
  if (PageFromIdCache(cache, offset, generation)) {
    std::string key = CacheKey(select_ids, args);
    OrderedIdCache::Ids ids;
    if (!cache->Lookup(key, generation, &ids)) {
      auto list = std::make_shared<std::vector<Id>>();
      {
        DynQuery q(c, select_ids, args);
        while (q.st().Step() && list->size() <= cache->max_ids()) list->push_back(q.st().Int(0));
      }
      if (list->size() <= cache->max_ids()) ids = std::move(list);
      cache->Put(key, generation, ids);
    }
    if (ids) return PageOfIds(*ids, limit, offset);
  }
  SqlArgs walk = args;
  std::string sql = select_ids + LimitOffset(c.dialect(), walk, limit, offset);
  DynQuery q(c, sql, walk);
  while (q.st().Step()) page.push_back(q.st().Int(0));
  return page;
}

template <typename Row, typename ReadRowFn>
std::vector<Row> ReadRowsByIds(Connection& c, const std::vector<Id>& ids,
                               const std::string& select_rows, std::string_view id_column,
                               ReadRowFn read_row);

// A list page's rows statement in parts: "SELECT <columns> FROM
// <from><joins>", `from` being the listed table and its alias ("events e"),
// `id_column` its key ("e.id"). Parts, so that ReadPage can put the page's
// ids in front of the joins.
//
// `table_columns` (optional, PostgreSQL's one-statement pages): the listed
// table's columns that `columns` and `joins` read ("p.id, p.name"). With
// them, a page that walks OFFSET selects those columns in its ordered walk
// (NumberedRowsSelect) instead of selecting ids and joining the table back
// by primary key, on its first page.
struct PageRowsSql {
  std::string columns, from, joins, id_column;
  std::string table_columns = {};
  std::string Select() const { return "SELECT " + columns + " FROM " + from + joins; }
};

// The number of columns of a select list ("a.x, f(a.y, 1), b.z": 3).
inline int SelectListSize(std::string_view columns) {
  if (columns.find('(') == std::string_view::npos) {  // the usual list: a vectorised count
    return 1 + static_cast<int>(std::count(columns.begin(), columns.end(), ','));
  }
  int n = 1, depth = 0;
  for (char ch : columns) {
    if (ch == '(') ++depth;
    else if (ch == ')') --depth;
    else if (ch == ',' && depth == 0) ++n;
  }
  return n;
}

// The FROM clause of a one-statement list page (PostgreSQL): the page's
// ids, selected by `ids` (a LIMITed, ordered select naming its id column
// pid), numbered as `i.n` in their order (a window over () numbers its input
// in arrival order, and the LIMITed subquery delivers ORDER BY's order), in
// front of the rows' table and joins.
inline std::string PageIdsInFront(const std::string& ids) {
  return " FROM (SELECT pid, row_number() OVER () AS n FROM (" + ids + ") q) i";
}

// A one-statement page: "SELECT <columns>, i.n" with the page's ids
// (PageIdsInFront) in front of `rows_sql`'s table and joins.
inline std::string NumberedPageSelect(const std::string& columns, const std::string& ids,
                                      const PageRowsSql& rows_sql) {
  return "SELECT " + columns + ", i.n" + PageIdsInFront(ids) + " JOIN " + rows_sql.from + " ON " +
         rows_sql.id_column + " = i.pid" + rows_sql.joins;
}

// `select_ids` ("SELECT <id_column> AS pid FROM ...", as ReadPageAlone
// takes it) selecting `rows_sql.table_columns` instead of the id; "" when
// there are none or `select_ids` is not of that form.
inline std::string OrderedRowsWalk(const std::string& select_ids, const PageRowsSql& rows_sql) {
  const std::string prefix = "SELECT " + rows_sql.id_column + " AS pid FROM ";
  if (rows_sql.table_columns.empty() || select_ids.compare(0, prefix.size(), prefix) != 0) return "";
  return "SELECT " + rows_sql.table_columns + " FROM " + select_ids.substr(prefix.size());
}

// A one-statement page whose rows come out of its ordered walk `rows`
// (OrderedRowsWalk, LIMITed): numbered as `<alias>.n` as PageIdsInFront
// numbers ids, and named by the listed table's alias, so that `columns` and
// `rows_sql.joins` read them as they would read the table. Against the ids
// in front, each row is fetched once, by the walk's index, instead of by a
// second descent of the primary key per row (on page 1 of the patch list,
// 128 buffer hits of the statement's 216 instead of 216: §9s).
inline std::string NumberedRowsSelect(const std::string& columns, const std::string& rows,
                                      const PageRowsSql& rows_sql) {
  const std::string alias = rows_sql.from.substr(rows_sql.from.rfind(' ') + 1);
  return "SELECT " + columns + ", " + alias + ".n FROM (SELECT *, row_number() OVER () AS n FROM (" +
         rows + ") q) " + alias + rows_sql.joins;
}

// The rows of a one-statement page put in their ids' order by the page
// number each carries in column `n_column` (i.n): no ORDER BY in SQL,
// whose Sort node copied every wide row once more in the server (§9l).
// The rows are read in arrival order, which is the ids' order whenever the
// plan is the nested loop over i that these statements get; only otherwise
// are they moved (rows are wide: sorting them in place moves each several
// times).
template <typename Row, typename ReadRowFn>
std::vector<Row> ReadNumberedRows(Statement& st, int n_column, ReadRowFn read_row) {
  std::vector<Row> rows;
  std::vector<int64_t> place;
  while (st.Step()) {
    place.push_back(st.Int(n_column));
    read_row(st, rows.emplace_back());
  }
  if (std::is_sorted(place.begin(), place.end())) return rows;
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return place[a] < place[b]; });
  std::vector<Row> sorted;
  sorted.reserve(rows.size());
  for (size_t i : order) sorted.push_back(std::move(rows[i]));
  return sorted;
}

// A list page: its ids (PageIds), then its rows by `rows.Select() + " WHERE
// <id_column> IN (...)"`, put back in the ids' order here. Two statements,
// but no temporary table and no sort in SQL: each row is one primary-key
// lookup per joined table.
//
// PostgreSQL, a page that walks OFFSET (not from the id cache): one
// statement, which selects the ids itself as a subquery in front of the
// joins (PageIdsInFront), as the patch list's page does
// (read::PageInOneTrip, docs/performance.md §9j): one wait for the server
// instead of two (§9l). `select_ids` must name its id column pid. The
// snapshot is the same, so are the rows; the statement keeps one generic
// plan per page size and offset below kMaxLiteralOffset, as the ids'
// statement did. SQLite keeps two statements: there a statement is a
// function call, not a wait.
template <typename Row, typename ReadRowFn>
std::vector<Row> ReadPage(Connection& c, const std::string& select_ids, const SqlArgs& args,
                          int64_t limit, int64_t offset, OrderedIdCache* cache, int64_t generation,
                          const PageRowsSql& rows_sql, ReadRowFn read_row) {
  if (c.dialect() == Dialect::kPostgres && !PageFromIdCache(cache, offset, generation)) {
    SqlArgs walk = args;
    std::string ids = select_ids + LimitOffset(c.dialect(), walk, limit, offset);
    DynQuery q(c, NumberedPageSelect(rows_sql.columns, ids, rows_sql), walk);
    return ReadNumberedRows<Row>(q.st(), SelectListSize(rows_sql.columns), read_row);
  }
  return ReadRowsByIds<Row>(c, PageIds(c, select_ids, args, limit, offset, cache, generation),
                            rows_sql.Select(), rows_sql.id_column, read_row);
}

// The ids of a deep page as ReadPageAlone takes them, from `cache` at
// `generation`, before any statement: nullopt when the page is not taken
// from the cache that way (it walks OFFSET, or its ids are not cached, or
// it is past the end).
inline std::optional<std::vector<Id>> CachedPageIds(const std::string& select_ids,
                                                    const SqlArgs& args, int64_t limit,
                                                    int64_t offset, OrderedIdCache* cache,
                                                    int64_t generation) {
  if (!PageFromIdCache(cache, offset, generation)) return std::nullopt;
  OrderedIdCache::Ids ids;
  if (!cache->Lookup(CacheKey(select_ids, args), generation, &ids) || !ids) return std::nullopt;
  std::vector<Id> page = PageOfIds(*ids, limit, offset);
  if (page.empty()) return std::nullopt;
  return page;
}

// The generation as a column of a statement that reads rows (PostgreSQL):
// an uncorrelated subquery, so the server runs it once per statement (an
// InitPlan), and a single statement is its own snapshot, so the rows and
// the generation agree.
inline constexpr const char* kGenerationColumn =
    "(SELECT generation FROM data_generation WHERE id = 1)";

// A list page and the generation by ONE statement, run outside the read
// snapshot (Connection::ReadBeforeSnapshot; PostgreSQL), for a request
// that assumes `generation` (the thread's catalog's) before reading it:
// the page's ids come from `cache` at `generation` (a deep page) or from
// the OFFSET walk as a subquery (PageIdsInFront), the rows carry
// kGenerationColumn then `extra_count` columns `extra` (", a, b": read by
// `read_row` with the row; PackedSql columns of the row's extras). The
// caller serves the page only when the generation read is the one it
// assumed: then the count and ids it took from the caches, the catalog
// and these rows are all of one generation, as if read in one snapshot.
// Against BEGIN + generation (a wait), the page's statements (a wait) and a
// ROLLBACK, this is one message and one wait for the server (§9n). Nothing
// is Put in any cache. nullopt: not read (a deep page whose ids are not
// cached at `generation`, or the snapshot already began).
template <typename Row, typename ReadRowFn>
std::optional<PageAlone<Row>> ReadPageAlone(Connection& c, const std::string& select_ids,
                                            const SqlArgs& args, int64_t limit, int64_t offset,
                                            OrderedIdCache* cache, int64_t generation,
                                            const PageRowsSql& rows_sql, std::string_view extra,
                                            int extra_count, ReadRowFn read_row) {
  std::vector<Id> page;
  bool from_ids = false;
  if (PageFromIdCache(cache, offset, generation)) {
    OrderedIdCache::Ids ids;
    if (!cache->Lookup(CacheKey(select_ids, args), generation, &ids)) return std::nullopt;
    if (ids) {  // else too long to keep: PageIds walks OFFSET, so does this
      page = PageOfIds(*ids, limit, offset);
      if (page.empty()) return std::nullopt;
      from_ids = true;
    }
  }
  const int generation_column = SelectListSize(rows_sql.columns);
  std::string columns = rows_sql.columns + ", " + kGenerationColumn + std::string(extra);
  std::optional<PageAlone<Row>> out;
  auto read = [&](Statement& st, Row& r) {
    read_row(st, r);
    if (out->generation < 0) out->generation = st.Int(generation_column);
  };
  bool ran = c.ReadBeforeSnapshot([&] {
    out.emplace();
    if (from_ids) {
      out->rows = ReadRowsByIds<Row>(c, page, "SELECT " + columns + " FROM " + rows_sql.from + rows_sql.joins,
                                     rows_sql.id_column, read);
      return;
    }
    SqlArgs walk = args;
    // Page 1 only: the walk would fetch and project every row it skips
    // too, which cost more than the primary-key look-ups from page 2 on
    // (pgbench, 30 per page: offset 30 387-405 against 376-378 µs, offset
    // 300 705-1,017 against 284-368; §9s).
    const std::string rows_walk = offset == 0 ? OrderedRowsWalk(select_ids, rows_sql) : "";
    const std::string limited = LimitOffset(c.dialect(), walk, limit, offset);
    DynQuery q(c,
               rows_walk.empty() ? NumberedPageSelect(columns, select_ids + limited, rows_sql)
                                 : NumberedRowsSelect(columns, rows_walk + limited, rows_sql),
               walk);
    out->rows = ReadNumberedRows<Row>(q.st(), generation_column + 1 + extra_count, read);
  });
  if (!ran) return std::nullopt;
  return out;
}

// The rows of `ids` by `select_rows + " WHERE <id_column> IN (...)"`, in the
// ids' order (one statement).
template <typename Row, typename ReadRowFn>
std::vector<Row> ReadRowsByIds(Connection& c, const std::vector<Id>& ids,
                               const std::string& select_rows, std::string_view id_column,
                               ReadRowFn read_row) {
  std::vector<Row> rows;
  if (ids.empty()) return rows;
  SqlArgs in;
  std::string sql =
      select_rows + " WHERE " + std::string(id_column) + " IN " + InPlaceholders(in, ids);
  std::unordered_map<Id, Row> by_id;
  by_id.reserve(ids.size());
  {
    DynQuery q(c, sql, in);
    while (q.st().Step()) {
      Row r;
      read_row(q.st(), r);
      Id id = r.id;
      by_id.emplace(id, std::move(r));
    }
  }
  rows.reserve(ids.size());
  for (Id id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) rows.push_back(std::move(it->second));
  }
  return rows;
}

}  // namespace pb::db::read
