#include "db/read/series_read.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "db/read/embed_cache.h"
#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kColumns =
    "sr.id, sr.project_id, sr.name, sr.date, sr.version, sr.total, s.id, s.name, s.email, "
    "c.id, c.project_id, c.msgid, c.name, c.date";
constexpr const char* kEmbedJoins =
    " JOIN people s ON s.id = sr.submitter_id"
    " LEFT JOIN covers c ON c.id = sr.cover_letter_id";

std::string Where(const SeriesFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  AddIdFilter(w, args, "sr.project_id", f.projects);
  AddIdFilter(w, args, "sr.submitter_id", f.submitters);
  if (f.since) w += " AND sr.date >= " + args.Add(*f.since);
  if (f.before) w += " AND sr.date < " + args.Add(*f.before);
  for (const auto& term : f.search) {
    w += " AND LOWER(sr.name) LIKE " + args.Add(LikePattern(term)) + " ESCAPE '\\'";
  }
  return w;
}

std::string OrderBy(const SeriesFilter& f) {
  std::string o;
  bool by_id = false;
  for (const auto& [key, desc] : f.order) {
    if (!o.empty()) o += ", ";
    o += key == SeriesOrder::kId     ? "sr.id"
         : key == SeriesOrder::kName ? "sr.name"
         : key == SeriesOrder::kDate ? "sr.date"
                                     : "sr.submitter_id";
    if (desc) o += " DESC";
    if (key == SeriesOrder::kId) {
      by_id = true;
      break;
    }
  }
  if (!by_id) {
    o += o.empty() ? "sr.id" : ", sr.id";
  }
  return " ORDER BY " + o;
}

void ReadRow(Statement& st, SeriesRec& r) {
  r.id = st.Int(0);
  if (!st.IsNull(1)) r.project_id = st.Int(1);
  if (!st.IsNull(2)) r.name = std::string(st.Text(2));
  r.date = st.Int(3);
  r.version = static_cast<int>(st.Int(4));
  r.total = static_cast<int>(st.Int(5));
  r.submitter.id = st.Int(6);
  if (!st.IsNull(7)) r.submitter.name = std::string(st.Text(7));
  r.submitter.email = std::string(st.Text(8));
  if (!st.IsNull(9)) {
    r.cover_letter = CoverRef{st.Int(9), st.Int(10), std::string(st.Text(11)),
                              std::string(st.Text(12)), st.Int(13)};
  }
}

}  // namespace

int64_t CountSeries(Connection& c, const SeriesFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = "SELECT COUNT(*) FROM series sr" + Where(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<SeriesRec> ListSeries(Connection& c, const SeriesFilter& f, int64_t limit,
                                  int64_t offset,
                                  OrderedIdCache* ids, int64_t generation) {
  SqlArgs args;
  std::string where = Where(f, args);
  std::string order = OrderBy(f);
  return ReadPage<SeriesRec>(
      c, "SELECT sr.id AS pid FROM series sr" + where + order, args, limit, offset, ids, generation,
      PageRowsSql{kColumns, "series sr",
                  SubmitterJoin(c.dialect(), "sr.submitter_id") +
                      " LEFT JOIN covers c ON c.id = sr.cover_letter_id",
                  "sr.id"},
      [](Statement& st, SeriesRec& r) { ReadRow(st, r); });
}

namespace {

const std::string& SeriesSql() {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM series sr" + kEmbedJoins + " WHERE sr.id = ?1";
  return sql;
}

std::optional<SeriesRec> ReadSeries(Statement& st) {
  if (!st.Step()) return std::nullopt;
  SeriesRec r;
  ReadRow(st, r);
  return r;
}

// The statement of the series' patches; Patch's default ordering is its
// date (ties: id).
std::string PatchesSql(SqlArgs& args, const std::vector<Id>& ids) {
  return "SELECT series_id, id, project_id, msgid, name, date FROM patches WHERE series_id IN " +
         InPlaceholders(args, ids) + " ORDER BY date, id";
}

void ReadPatches(Statement& st, std::unordered_map<Id, std::vector<SeriesRec*>>& by_id) {
  while (st.Step()) {
    PatchRef r{st.Int(1), st.Int(2), std::string(st.Text(3)), std::string(st.Text(4)), st.Int(5)};
    for (auto* s : by_id[st.Int(0)]) s->patches.push_back(r);
  }
}

void LoadDependencies(Connection& c, const std::vector<SeriesRec*>& series,
                      const std::vector<Id>& ids,
                      std::unordered_map<Id, std::vector<SeriesRec*>>& by_id) {
  SqlArgs args;
  std::string in = InPlaceholders(args, ids);
  std::string sql = "SELECT series_id, depends_on_id FROM series_dependencies WHERE series_id IN " +
                    in + " OR depends_on_id IN " + in + " ORDER BY series_id, depends_on_id";
  DynQuery q(c, sql, args);
  while (q.st().Step()) {
    Id from = q.st().Int(0), to = q.st().Int(1);
    if (auto it = by_id.find(from); it != by_id.end()) {
      for (auto* s : it->second) s->dependencies.push_back(to);
    }
    if (auto it = by_id.find(to); it != by_id.end()) {
      for (auto* s : it->second) s->dependents.push_back(from);
    }
  }
  for (auto* s : series) std::sort(s->dependents.begin(), s->dependents.end());
}

}  // namespace

std::optional<SeriesRec> GetSeries(Connection& c, Id id) {
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, SeriesSql(), args);
  return ReadSeries(q.st());
}

std::optional<SeriesRec> GetSeriesWithExtras(Connection& c, Id id,
                                             const std::function<void()>& meanwhile,
                                             const std::function<bool(const SeriesRec&)>& dependencies) {
  // The series and its patches are sent ahead (with the snapshot's BEGIN
  // on PostgreSQL), then `meanwhile`'s statements in the same pipeline: one
  // round trip for all of them.
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, SeriesSql(), args);
  q.st().Prefetch();
  SqlArgs patch_args;
  DynQuery patches(c, PatchesSql(patch_args, {id}), patch_args);
  patches.st().Prefetch();
  if (meanwhile) meanwhile();
  std::optional<SeriesRec> s = ReadSeries(q.st());
  if (!s) return s;
  std::unordered_map<Id, std::vector<SeriesRec*>> by_id;
  by_id[s->id].push_back(&*s);
  ReadPatches(patches.st(), by_id);
  if (dependencies && dependencies(*s)) LoadDependencies(c, {&*s}, {s->id}, by_id);
  return s;
}

namespace {

// GetSeriesAlone's statement (PostgreSQL): SeriesSql's row, so ReadRow
// reads it, then the generation, the series' patches and its dependency
// links packed into one text each (PackedFields): one row carries all of
// it (as GetPatchAlone's statement does, and for the same reason). Here
// string_agg stays: PackedSql's ARRAY form, cheaper for a patch's few rows,
// measured no cheaper for a series' (docs/performance.md §9l).
// `with_patches` false: '' in the patches' column, for a series whose
// patches are kept in the EmbedCache (§9u).
const std::string& SeriesAloneSql(bool with_patches) {
  auto sql = [](const std::string& patches) {
    return std::string("SELECT ") + kColumns + ", " + kGenerationColumn + ", " + patches +
           ","
           " (SELECT string_agg(d.series_id || ' ' || d.depends_on_id || ' ', '')"
           " FROM series_dependencies d WHERE d.series_id = sr.id OR d.depends_on_id = sr.id)"
           " FROM series sr" +
           kEmbedJoins + " WHERE sr.id = ?1";
  };
  static const std::string full = sql("(SELECT string_agg(" + PackedPatchRefSql("p") +
                                      ", '') FROM patches p WHERE p.series_id = sr.id)");
  static const std::string lean = sql("''");
  return with_patches ? full : lean;
}

}  // namespace

SeriesAlone GetSeriesAlone(Connection& c, Id id, EmbedCache* embeds, int64_t generation) {
  // The patches are left out when the cache keeps them at the generation
  // assumed; they are then taken from it only if the statement read that
  // generation (else the caller reads the series in a snapshot), exact for
  // the reason the list pages' embedded records are (§9p).
  const bool kept = embeds && embeds->KeepsSeriesPatches(generation, id);
  SqlArgs args;
  args.Add(id);
  DynQuery q(c, SeriesAloneSql(!kept), args);
  Statement& st = q.st();
  SeriesAlone out;
  if (!st.Step()) return out;
  SeriesRec& r = out.series.emplace();
  ReadRow(st, r);
  constexpr int kPacked = 14;  // after kColumns
  out.generation = st.Int(kPacked);
  if (kept) {
    if (out.generation != generation || !embeds->FillSeriesPatches(generation, r)) {
      out.generation = -1;  // not of the generation assumed: not to be served
    }
  } else {
    for (PackedFields f(st.Text(kPacked + 1)); !f.done();) r.patches.push_back(ReadPackedPatchRef(f));
    // string_agg without ORDER BY promises no order: PatchesSql's order is
    // restored here.
    std::sort(r.patches.begin(), r.patches.end(), [](const PatchRef& a, const PatchRef& b) {
      return a.date != b.date ? a.date < b.date : a.id < b.id;
    });
    if (embeds) embeds->KeepSeriesPatches(out.generation, r);
  }
  std::vector<std::pair<Id, Id>> links;
  for (PackedFields f(st.Text(kPacked + 2)); !f.done();) {
    Id from = f.Int();
    links.emplace_back(from, f.Int());
  }
  std::sort(links.begin(), links.end());
  for (const auto& [from, to] : links) {
    if (from == r.id) out.dependencies.push_back(to);
    if (to == r.id) out.dependents.push_back(from);
  }
  std::sort(out.dependents.begin(), out.dependents.end());
  return out;
}

void LoadSeriesExtras(Connection& c, const std::vector<SeriesRec*>& series, bool dependencies) {
  if (series.empty()) return;
  std::unordered_map<Id, std::vector<SeriesRec*>> by_id;
  std::vector<Id> ids = GroupById(series, by_id);
  {
    SqlArgs args;
    DynQuery q(c, PatchesSql(args, ids), args);
    ReadPatches(q.st(), by_id);
  }
  if (!dependencies) return;
  LoadDependencies(c, series, ids, by_id);
}

}  // namespace pb::db::read
