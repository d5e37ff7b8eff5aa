#include "db/read/covers_read.h"

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kColumns =
    "c.id, c.project_id, c.msgid, c.name, c.date, s.id, s.name, s.email, sr.id, sr.date, "
    "sr.name, sr.version, sr.project_id";
constexpr int kColumnCount = 13;
constexpr const char* kEmbedJoins =
    " JOIN people s ON s.id = c.submitter_id"
    " LEFT JOIN series sr ON sr.cover_letter_id = c.id";

std::string Where(const CoverFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  AddIdFilter(w, args, "c.project_id", f.projects);
  if (f.series) {
    std::string in;
    AddIdFilter(in, args, "id", f.series);
    w += " AND c.id IN (SELECT cover_letter_id FROM series WHERE cover_letter_id IS NOT NULL" +
         in + ")";
  }
  AddIdFilter(w, args, "c.submitter_id", f.submitters);
  if (f.msgid) w += " AND c.msgid = " + args.Add(*f.msgid);
  if (f.since) w += " AND c.date >= " + args.Add(*f.since);
  if (f.before) w += " AND c.date < " + args.Add(*f.before);
  for (const auto& term : f.search) {
    w += " AND LOWER(c.name) LIKE " + args.Add(LikePattern(term)) + " ESCAPE '\\'";
  }
  return w;
}

std::string OrderBy(const CoverFilter& f) {
  std::string o;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!o.empty()) o += ", ";
    o += key == CoverOrder::kId     ? "c.id"
         : key == CoverOrder::kName ? "c.name"
         : key == CoverOrder::kDate ? "c.date"
                                    : "c.submitter_id";
    if (desc) o += " DESC";
    if (key == CoverOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) {
    o += o.empty() ? "c.id" : ", c.id";
  }
  return " ORDER BY " + o;
}

void ReadRow(Statement& st, CoverRec& r) {
  r.id = st.Int(0);
  r.project_id = st.Int(1);
  r.msgid = std::string(st.Text(2));
  r.name = std::string(st.Text(3));
  r.date = st.Int(4);
  r.submitter.id = st.Int(5);
  if (!st.IsNull(6)) r.submitter.name = std::string(st.Text(6));
  r.submitter.email = std::string(st.Text(7));
  if (!st.IsNull(8)) {
    SeriesRef s;
    s.id = st.Int(8);
    s.date = st.Int(9);
    if (!st.IsNull(10)) s.name = std::string(st.Text(10));
    s.version = static_cast<int>(st.Int(11));
    if (!st.IsNull(12)) s.project_id = st.Int(12);
    r.series = std::move(s);
  }
}

// The count's statement, also CountCache's key: one text for the count
// that fills the cache and the look-up that only reads it.
std::string CountSql(const CoverFilter& f, SqlArgs& args) {
  return "SELECT COUNT(*) FROM covers c" + Where(f, args);
}

// A page's ids in order (ReadPage's `select_ids`, also the id cache's key).
std::string SelectIds(const CoverFilter& f, SqlArgs& args) {
  return "SELECT c.id AS pid FROM covers c" + Where(f, args) + OrderBy(f);
}

// A list page's rows statement (ReadPage).
PageRowsSql PageRows(Dialect dialect) {
  return PageRowsSql{kColumns, "covers c",
                     SubmitterJoin(dialect, "c.submitter_id") +
                         " LEFT JOIN series sr ON sr.cover_letter_id = c.id",
                     "c.id"};
}

}  // namespace

int64_t CountCovers(Connection& c, const CoverFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<CoverRec> ListCovers(Connection& c, const CoverFilter& f, int64_t limit,
                                 int64_t offset,
                                 OrderedIdCache* ids, int64_t generation, EmbedCache* embeds) {
  SqlArgs args;
  std::string select_ids = SelectIds(f, args);
  auto rows = ReadPage<CoverRec>(c, select_ids, args, limit, offset, ids, generation,
                                 PageRows(c.dialect()), [](Statement& st, CoverRec& r) { ReadRow(st, r); });
  // Only ListCoversAlone (PostgreSQL) reads pages without their people
  // (and deep ones without their series).
  if (embeds && c.dialect() == Dialect::kPostgres) {
    embeds->Keep(generation, rows);
    embeds->KeepCoverSeries(generation, rows);
  }
  return rows;
}

std::optional<int64_t> CachedCoverCount(const CoverFilter& f, const CountCache& cache,
                                        int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CountIfCached(sql, args, cache, generation);
}

std::optional<PageAlone<CoverRec>> ListCoversAlone(Connection& c, const CoverFilter& f,
                                                   int64_t limit, int64_t offset,
                                                   OrderedIdCache* ids, int64_t generation,
                                                   EmbedCache* embeds) {
  SqlArgs args;
  std::string select_ids = SelectIds(f, args);
  if (embeds) {
    // The submitter's id only (ReadRow's columns 5-7: the id and two
    // NULLs), the person from `embeds` (as patches_read.cc's
    // ListPatchesAlone does).
    static const PageRowsSql lean{
        "c.id, c.project_id, c.msgid, c.name, c.date, c.submitter_id, NULL, NULL, sr.id, sr.date, "
        "sr.name, sr.version, sr.project_id",
        "covers c", " LEFT JOIN series sr ON sr.cover_letter_id = c.id", "c.id",
        "c.id, c.project_id, c.msgid, c.name, c.date, c.submitter_id"};
    // A deep page's ids are known before the statement is sent: when
    // `embeds` holds the series of all of them at `generation`, the
    // statement does not look them up (one index descent and heap fetch
    // per row: a third of the server's work for the statement, §9u), and
    // they come from `embeds` once the statement read `generation`.
    static const PageRowsSql lean_no_series{
        "c.id, c.project_id, c.msgid, c.name, c.date, c.submitter_id, NULL, NULL, NULL, NULL, "
        "NULL, NULL, NULL",
        "covers c", "", "c.id", "c.id, c.project_id, c.msgid, c.name, c.date, c.submitter_id"};
    std::optional<std::vector<Id>> known = CachedPageIds(select_ids, args, limit, offset, ids, generation);
    const bool series_kept = known && embeds->KeepsCoverSeries(generation, *known);
    auto page = ReadPageAlone<CoverRec>(c, select_ids, args, limit, offset, ids, generation,
                                        series_kept ? lean_no_series : lean, "", 0,
                                        [](Statement& st, CoverRec& r) { ReadRow(st, r); });
    if (!page || page->generation != generation) return page;
    bool series = true;
    if (series_kept) {
      // False only when a newer generation emptied `embeds` meanwhile.
      series = embeds->FillCoverSeries(generation, page->rows);
    } else {
      embeds->KeepCoverSeries(generation, page->rows);
    }
    if (series && embeds->Fill(generation, page->rows)) return page;
  }
  auto full = ReadPageAlone<CoverRec>(c, select_ids, args, limit, offset, ids, generation,
                                      PageRows(Dialect::kPostgres), "", 0,
                                      [](Statement& st, CoverRec& r) { ReadRow(st, r); });
  if (full && embeds) {
    embeds->Keep(full->generation, full->rows);
    embeds->KeepCoverSeries(full->generation, full->rows);
  }
  return full;
}

std::optional<CoverRec> GetCover(Connection& c, Id id) {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 ", c.headers, c.content FROM covers c" + kEmbedJoins +
                                 " WHERE c.id = ?1";
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, sql, args);
  Statement& st = q.st();
  if (!st.Step()) return std::nullopt;
  CoverRec r;
  ReadRow(st, r);
  r.headers = std::string(st.Text(kColumnCount));
  if (!st.IsNull(kColumnCount + 1)) r.content = std::string(st.Text(kColumnCount + 1));
  return r;
}

}  // namespace pb::db::read
