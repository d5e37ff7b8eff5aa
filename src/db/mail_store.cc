#include "db/mail_store.h"

#include <bit>
#include <unordered_set>
#include <utility>

#include "db/array_literal.h"
#include "db/insert_id.h"

namespace pb::db {

namespace {

struct FoundPerson {
  Id id;
  std::optional<std::string> name;  // as stored now
};

// The address lowered, when it is all ASCII: two ASCII addresses whose
// lower() PostgreSQL finds equal have equal ASCII lowerings (a locale may
// lower 'I' to a non-ASCII letter, so the converse does not hold, and the
// absent set keeps addresses as spelt). Non-ASCII: nullopt (lower() may
// map such a letter onto an ASCII one, as the Kelvin sign onto 'k').
std::optional<std::string> AsciiLower(std::string_view email) {
  std::string out(email);
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) >= 0x80) return std::nullopt;
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

// `known_absent`: the lookup is known to find nothing (PersonCache::absent).
FoundPerson FindOrCreatePerson(Connection& c, std::string_view email, std::string_view name,
                               bool known_absent = false) {
  std::optional<FoundPerson> existing;
  if (!known_absent) {
    Query q(c, "SELECT id, name FROM people WHERE lower(email) = lower(?1) ORDER BY id LIMIT 1",
            email);
    if (q.Next()) {
      existing = FoundPerson{q.Int(0), std::nullopt};
      if (!q.IsNull(1)) existing->name = std::string(q.Text(1));
    }
  }
  if (existing) {
    if (!name.empty() && existing->name != name) {
      Query(c, "UPDATE people SET name = ?1 WHERE id = ?2", name, existing->id).Send();
      existing->name = std::string(name);
    }
    return *existing;
  }
  std::optional<std::string_view> n;
  if (!name.empty()) n = name;
  // A new address that an active user has as their primary e-mail is theirs
  // from its first mail (addresses linked through /user/link/ already have a
  // people row, found above), so they can edit the patch it brings.
  Id id = InsertReturningId(c,
                            "INSERT INTO people (email, name, user_id) VALUES (?1, ?2, "
                            "(SELECT u.id FROM users u WHERE lower(u.email) = lower(?1) AND "
                            "u.is_active = 1 ORDER BY u.id LIMIT 1))",
                            email, n)
              .value();
  FoundPerson created{id, std::nullopt};
  if (n) created.name = std::string(*n);
  return created;
}

}  // namespace

Id GetOrCreatePerson(Connection& c, std::string_view email, std::string_view name) {
  return FindOrCreatePerson(c, email, name).id;
}

Id GetOrCreatePerson(Connection& c, std::string_view email, std::string_view name,
                     PersonCache& cache) {
  auto it = cache.id_by_email.find(std::string(email));
  if (it == cache.id_by_email.end()) {
    bool absent = cache.absent.count(std::string(email)) > 0;
    FoundPerson p = FindOrCreatePerson(c, email, name, absent);
    // A row found or made: no spelling that lower() may match it with is
    // absent now (after a non-ASCII one, none is known absent any more).
    if (auto lowered = AsciiLower(email)) {
      std::erase_if(cache.absent, [&](const std::string& a) { return AsciiLower(a) == lowered; });
    } else {
      cache.absent.clear();
    }
    cache.id_by_email.emplace(std::string(email), p.id);
    cache.name_by_id[p.id] = std::move(p.name);
    return p.id;
  }
  Id id = it->second;
  auto& stored = cache.name_by_id[id];
  if (!name.empty() && stored != name) {
    Query(c, "UPDATE people SET name = ?1 WHERE id = ?2", name, id).Send();
    stored = std::string(name);
  }
  return id;
}

void PrefetchPeople(Connection& c, const std::vector<std::string>& emails, PersonCache& cache) {
  if (c.dialect() != Dialect::kPostgres) return;
  std::string list = "{";
  std::unordered_set<std::string_view> asked;
  for (const auto& e : emails) {
    if (cache.id_by_email.count(e) || !asked.insert(e).second) continue;
    AppendText(list, e);
  }
  if (asked.empty()) return;
  list += "}";
  // A join, so a small table is hashed once rather than scanned (lowering
  // every address) per id; DISTINCT ON keeps the oldest row, as the
  // single lookup's ORDER BY id LIMIT 1 does.
  Query q(c,
          "SELECT DISTINCT ON (u.e) u.e, p.id, p.name FROM unnest(?1::text[]) u (e) "
          "JOIN people p ON lower(p.email) = lower(u.e) ORDER BY u.e, p.id",
          list);
  while (q.Next()) {
    Id id = q.Int(1);
    cache.id_by_email.emplace(q.Str(0), id);
    cache.name_by_id[id] = q.OptStr(2);
  }
  // Every write transaction holds the write lock, as the batch does now:
  // only this batch's GetOrCreatePerson can make these addresses match.
  for (std::string_view e : asked) {
    if (cache.id_by_email.count(std::string(e))) continue;
    if (AsciiLower(e)) cache.absent.emplace(e);
  }
}

Id DefaultStateId(Connection& c) {
  auto id = QueryInt(c, "SELECT id FROM states WHERE ordering = 0");
  if (!id) throw DbError(DbError::Kind::kGeneric, "no default state (ordering 0) exists");
  return *id;
}

std::optional<Id> StateIdByName(Connection& c, std::string_view name) {
  return QueryInt(c, "SELECT id FROM states WHERE lower(name) = lower(?1)", name);
}

bool PatchExists(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c, "SELECT 1 FROM patches WHERE project_id = ?1 AND msgid = ?2", project_id,
                  msgid)
      .has_value();
}

bool CoverExists(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c, "SELECT 1 FROM covers WHERE project_id = ?1 AND msgid = ?2", project_id,
                  msgid)
      .has_value();
}

Id InsertPatch(Connection& c, const NewPatch& p) {
  return InsertReturningId(c,
                           "INSERT INTO patches (project_id, msgid, name, date, submitter_id, delegate_id, "
                           "state_id, hash, pull_url, series_id, number, headers, content, diff) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           p.project_id, p.msgid, p.name, p.date, p.submitter_id, p.delegate_id,
                           p.state_id, p.hash, p.pull_url, p.series_id, p.number, p.headers,
                           p.content, p.diff)
      .value();
}

Id InsertCover(Connection& c, const NewSubmission& s) {
  return InsertReturningId(c,
                           "INSERT INTO covers (project_id, msgid, name, date, submitter_id, headers, "
                           "content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           s.project_id, s.msgid, s.name, s.date, s.submitter_id, s.headers, s.content)
      .value();
}

std::optional<Id> InsertPatchComment(Connection& c, Id patch_id, const NewSubmission& s,
                                     std::optional<bool> addressed, bool known_new) {
  if (!known_new && QueryInt(c, "SELECT 1 FROM patch_comments WHERE patch_id = ?1 AND msgid = ?2", patch_id,
               s.msgid)) {
    return std::nullopt;
  }
  return InsertReturningId(c,
                           "INSERT INTO patch_comments (patch_id, msgid, date, submitter_id, addressed, "
                           "headers, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           patch_id, s.msgid, s.date, s.submitter_id, addressed, s.headers, s.content);
}

std::optional<Id> InsertCoverComment(Connection& c, Id cover_id, const NewSubmission& s,
                                     bool known_new) {
  if (!known_new && QueryInt(c, "SELECT 1 FROM cover_comments WHERE cover_id = ?1 AND msgid = ?2", cover_id,
               s.msgid)) {
    return std::nullopt;
  }
  return InsertReturningId(c,
                           "INSERT INTO cover_comments (cover_id, msgid, date, submitter_id, headers, "
                           "content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           cover_id, s.msgid, s.date, s.submitter_id, s.headers, s.content);
}

std::optional<Id> PatchIdByMsgid(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c, "SELECT id FROM patches WHERE project_id = ?1 AND msgid = ?2", project_id,
                  msgid);
}

std::optional<Id> PatchIdOfCommentMsgid(Connection& c, Id project_id, std::string_view msgid) {
  // The newest such comment, by (date, id). Picked here rather than by
  // ORDER BY … LIMIT 1: there are one or two, and SQLite sorted them in a
  // temporary b-tree, two thirds of the cost of a reply's parent lookup.
  Query q(c,
          "SELECT pc.patch_id, pc.date, pc.id FROM patch_comments pc "
          "JOIN patches p ON p.id = pc.patch_id WHERE pc.msgid = ?1 AND p.project_id = ?2",
          msgid, project_id);
  std::optional<Id> patch;
  std::pair<int64_t, int64_t> newest;
  while (q.Next()) {
    std::pair<int64_t, int64_t> key{q.Int(1), q.Int(2)};
    if (!patch || key > newest) {
      newest = key;
      patch = q.Int(0);
    }
  }
  return patch;
}

std::optional<Id> CoverIdByMsgid(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c, "SELECT id FROM covers WHERE project_id = ?1 AND msgid = ?2", project_id,
                  msgid);
}

bool PatchOrCoverExists(Connection& c, Id project_id, std::string_view msgid) {
  return QueryInt(c,
                  "SELECT EXISTS (SELECT 1 FROM patches WHERE project_id = ?1 AND msgid = ?2) "
                  "OR EXISTS (SELECT 1 FROM covers WHERE project_id = ?1 AND msgid = ?2)",
                  project_id, msgid)
             .value_or(0) != 0;
}

std::optional<Id> CoverIdOfCommentMsgid(Connection& c, Id project_id, std::string_view msgid) {
  Query q(c,
          "SELECT cc.cover_id FROM cover_comments cc JOIN covers v ON v.id = cc.cover_id "
          "WHERE cc.msgid = ?1 AND v.project_id = ?2 LIMIT 2",
          msgid, project_id);
  if (!q.Next()) return std::nullopt;
  Id id = q.Int(0);
  if (q.Next()) {
    throw DbError(DbError::Kind::kGeneric,
                  "several cover comments have message id " + std::string(msgid));
  }
  return id;
}

int64_t CountCoversNamed(Connection& c, std::string_view name) {
  return QueryInt(c, "SELECT COUNT(*) FROM covers WHERE name = ?1", name).value_or(0);
}

namespace {

constexpr const char* kSeriesColumns =
    "id, name, date, submitter_id, version, total, received_total, cover_letter_id, previous_id";

SeriesRow ReadSeries(Query& q) {
  SeriesRow s;
  s.id = q.Int(0);
  s.name = q.OptStr(1);
  s.date = q.Int(2);
  s.submitter_id = q.Int(3);
  s.version = static_cast<int>(q.Int(4));
  s.total = static_cast<int>(q.Int(5));
  s.received_total = static_cast<int>(q.Int(6));
  s.cover_letter_id = q.OptInt(7);
  s.previous_id = q.OptInt(8);
  return s;
}

}  // namespace

std::optional<SeriesRow> GetSeries(Connection& c, Id series_id) {
  Query q(c, std::string("SELECT ") + kSeriesColumns + " FROM series WHERE id = ?1", series_id);
  if (q.Next()) return ReadSeries(q);
  return std::nullopt;
}

std::optional<SeriesRow> SeriesByReference(Connection& c, Id project_id, std::string_view msgid) {
  Query q(c,
          "SELECT s.id, s.name, s.date, s.submitter_id, s.version, s.total, s.received_total, "
          "s.cover_letter_id, s.previous_id FROM series_references r JOIN series s ON s.id = r.series_id "
          "WHERE r.project_id = ?1 AND r.msgid = ?2",
          project_id, msgid.substr(0, 255));
  if (q.Next()) return ReadSeries(q);
  return std::nullopt;
}

std::vector<SeriesRow> SeriesByMarkers(Connection& c, Id project_id, Id submitter_id, int version,
                                       int total, Micros from, Micros to) {
  Query q(c,
          std::string("SELECT ") + kSeriesColumns +
              " FROM series WHERE project_id = ?1 AND submitter_id = ?2 AND version = ?3 "
              "AND total = ?4 AND date >= ?5 AND date <= ?6 ORDER BY date DESC, id DESC",
          project_id, submitter_id, version, total, from, to);
  std::vector<SeriesRow> out;
  while (q.Next()) out.push_back(ReadSeries(q));
  return out;
}

Id InsertSeries(Connection& c, Id project_id, Micros date, Id submitter_id, int version, int total,
                std::optional<std::string_view> name) {
  return InsertReturningId(c,
                           "INSERT INTO series (project_id, date, submitter_id, version, total, name) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           project_id, date, submitter_id, version, total, name)
      .value();
}

void InsertSeriesReference(Connection& c, Id project_id, Id series_id, std::string_view msgid) {
  Query(c,
        "INSERT INTO series_references (project_id, series_id, msgid) VALUES (?1, ?2, ?3) "
        "ON CONFLICT DO NOTHING",
        project_id, series_id, msgid.substr(0, 255))
      .Send();
}

void ClaimSeriesReference(Connection& c, Id project_id, Id series_id, std::string_view msgid,
                          Micros date) {
  // The holder's date by its primary key: as `IN (SELECT id FROM series
  // WHERE date > ?4)` the generic plan hashed a scan of every series.
  Query(c,
        "INSERT INTO series_references (project_id, series_id, msgid) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (project_id, msgid) DO UPDATE SET series_id = excluded.series_id "
        "WHERE EXISTS (SELECT 1 FROM series s WHERE s.id = series_references.series_id "
        "AND s.date > ?4)",
        project_id, series_id, msgid.substr(0, 255), date)
      .Send();
}

bool SeriesHasNumber(Connection& c, Id series_id, int number) {
  return QueryInt(c, "SELECT 1 FROM patches WHERE series_id = ?1 AND number = ?2", series_id,
                  number)
      .has_value();
}

std::vector<int> SeriesNumbers(Connection& c, Id series_id) {
  Query q(c,
          "SELECT number FROM patches WHERE series_id = ?1 AND number IS NOT NULL "
          "ORDER BY number",
          series_id);
  std::vector<int> out;
  while (q.Next()) out.push_back(static_cast<int>(q.Int(0)));
  return out;
}

void SetSeriesName(Connection& c, Id series_id, std::string_view name) {
  Query(c, "UPDATE series SET name = ?1 WHERE id = ?2", name, series_id).Send();
}

void SetSeriesCover(Connection& c, Id series_id, Id cover_id) {
  Query(c, "UPDATE series SET cover_letter_id = ?1 WHERE id = ?2", cover_id, series_id).Send();
}

void SetSeriesPrevious(Connection& c, Id series_id, Id previous_id) {
  Query(c, "UPDATE series SET previous_id = ?1 WHERE id = ?2", previous_id, series_id).Send();
}

// The revision candidates' first 100 by their order, counted here rather
// than by LIMIT: SQLite sorts an ORDER BY with a LIMIT in an ephemeral
// b-tree, a pager of its own with its page cache (~13 pages of 4 KB taken
// from and given back to malloc, which trims and faults them in again),
// but one without a LIMIT in its sorter, a list in memory. It reads every
// matching row either way, to sort them; only the first 100 are read here.
constexpr size_t kRevisionCandidates = 100;

std::vector<SeriesRow> LaterRevisionCandidates(Connection& c, const SeriesRow& s, Id project_id) {
  Query q(c,
          std::string("SELECT ") + kSeriesColumns +
              " FROM series WHERE project_id = ?1 AND submitter_id = ?2 AND version > ?3 "
              "AND id <> ?4 AND date >= ?5 AND name IS NOT NULL ORDER BY id",
          project_id, s.submitter_id, s.version, s.id, s.date);
  std::vector<SeriesRow> out;
  while (out.size() < kRevisionCandidates && q.Next()) out.push_back(ReadSeries(q));
  return out;
}

std::vector<std::pair<Id, std::string>> EarlierRevisionCandidates(Connection& c, const SeriesRow& s,
                                                                  Id project_id) {
  Query q(c,
          "SELECT id, name FROM series WHERE project_id = ?1 AND submitter_id = ?2 "
          "AND version < ?3 AND id <> ?4 AND date <= ?5 AND name IS NOT NULL "
          "ORDER BY version DESC, date DESC, id DESC",
          project_id, s.submitter_id, s.version, s.id, s.date);
  std::vector<std::pair<Id, std::string>> out;
  while (out.size() < kRevisionCandidates && q.Next()) out.emplace_back(q.Int(0), q.Str(1));
  return out;
}

std::optional<std::string> PatchNameByNumber(Connection& c, Id series_id, int number) {
  Query q(c, "SELECT name FROM patches WHERE series_id = ?1 AND number = ?2", series_id, number);
  if (q.Next()) return q.Str(0);
  return std::nullopt;
}

std::optional<Id> PatchIdByNumber(Connection& c, Id series_id, int number) {
  return QueryInt(c, "SELECT id FROM patches WHERE series_id = ?1 AND number = ?2", series_id,
                  number);
}

void CountPatchInSeries(Connection& c, Id series_id) {
  Query(c, "UPDATE series SET received_total = received_total + 1 WHERE id = ?1", series_id).Send();
}

void CountPatchesInSeries(Connection& c, const std::map<Id, int>& counts) {
  if (counts.empty()) return;
  if (c.dialect() != Dialect::kPostgres) {
    for (const auto& [id, n] : counts) {
      Query(c, "UPDATE series SET received_total = received_total + ?2 WHERE id = ?1", id,
            static_cast<int64_t>(n))
          .Send();
    }
    return;
  }
  std::string ids = "{", ns = "{";
  for (const auto& [id, n] : counts) {
    AppendId(ids, id);
    AppendId(ns, n);
  }
  ids += "}";
  ns += "}";
  Query(c,
        "UPDATE series s SET received_total = s.received_total + u.n "
        "FROM unnest(?1::bigint[], ?2::bigint[]) AS u (id, n) WHERE s.id = u.id",
        ids, ns)
      .Send();
}

namespace {

void InsertEventAt(Connection& c, const Event& e, Micros date) {
  Query(c,
        "INSERT INTO events (project_id, category, date, actor_id, patch_id, series_id, cover_id, "
        "previous_state_id, current_state_id, previous_delegate_id, current_delegate_id, "
        "created_check_id, cover_comment_id, patch_comment_id) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        e.project_id, e.category, date, e.actor_id, e.patch_id, e.series_id, e.cover_id,
        e.previous_state_id, e.current_state_id, e.previous_delegate_id, e.current_delegate_id,
        e.created_check_id, e.cover_comment_id, e.patch_comment_id)
      .Send();
}

constexpr size_t kEventColumns = 14;
constexpr size_t kEventRowsPerInsert = 32;

// "INSERT INTO events … VALUES (?1, … ?14), (?15, …)" for `rows` rows, a
// power of two up to kEventRowsPerInsert; built once each.
const std::string& EventInsertSql(size_t rows) {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (size_t n = 1; n <= kEventRowsPerInsert; n *= 2) {
      std::string sql =
          "INSERT INTO events (project_id, category, date, actor_id, patch_id, series_id, "
          "cover_id, previous_state_id, current_state_id, previous_delegate_id, "
          "current_delegate_id, created_check_id, cover_comment_id, patch_comment_id) VALUES ";
      for (size_t r = 0; r < n; ++r) {
        sql += r ? ",(" : "(";
        for (size_t col = 1; col <= kEventColumns; ++col) {
          sql += (col > 1 ? ",?" : "?") + std::to_string(r * kEventColumns + col);
        }
        sql += ")";
      }
      out.push_back(std::move(sql));
    }
    return out;
  }();
  return texts[static_cast<size_t>(std::countr_zero(rows))];
}

}  // namespace

void InsertEvent(Connection& c, const Event& e) { InsertEventAt(c, e, NowMicros()); }

void InsertEvents(Connection& c, std::vector<PendingEvent>& events) {
  if (events.empty()) return;
  if (c.dialect() != Dialect::kPostgres) {
    // Runs of 32, 16, ... 1 rows per statement (six texts in the statement
    // cache at most). Row by row, each event paid a statement's start, its
    // cursors on the table and six indexes, and its end.
    size_t at = 0;
    while (at < events.size()) {
      size_t rows = kEventRowsPerInsert;
      while (rows > events.size() - at) rows /= 2;
      Query q(c, EventInsertSql(rows));
      for (size_t r = 0; r < rows; ++r) {
        const PendingEvent& p = events[at + r];
        const Event& e = p.event;
        int i = static_cast<int>(r * kEventColumns);
        q.Bind(i + 1, e.project_id);
        q.Bind(i + 2, std::string_view(p.category));
        q.Bind(i + 3, p.date);  // when it happened, as on PostgreSQL
        q.Bind(i + 4, e.actor_id);
        q.Bind(i + 5, e.patch_id);
        q.Bind(i + 6, e.series_id);
        q.Bind(i + 7, e.cover_id);
        q.Bind(i + 8, e.previous_state_id);
        q.Bind(i + 9, e.current_state_id);
        q.Bind(i + 10, e.previous_delegate_id);
        q.Bind(i + 11, e.current_delegate_id);
        q.Bind(i + 12, e.created_check_id);
        q.Bind(i + 13, e.cover_comment_id);
        q.Bind(i + 14, e.patch_comment_id);
      }
      q.Send();
      at += rows;
    }
    events.clear();
    return;
  }
  constexpr int kColumns = 14;
  std::string cols[kColumns];
  for (auto& col : cols) col.assign(1, '{');
  for (const auto& p : events) {
    const Event& e = p.event;
    AppendId(cols[0], e.project_id);
    AppendText(cols[1], p.category);
    AppendId(cols[2], p.date);
    AppendId(cols[3], e.actor_id);
    AppendId(cols[4], e.patch_id);
    AppendId(cols[5], e.series_id);
    AppendId(cols[6], e.cover_id);
    AppendId(cols[7], e.previous_state_id);
    AppendId(cols[8], e.current_state_id);
    AppendId(cols[9], e.previous_delegate_id);
    AppendId(cols[10], e.current_delegate_id);
    AppendId(cols[11], e.created_check_id);
    AppendId(cols[12], e.cover_comment_id);
    AppendId(cols[13], e.patch_comment_id);
  }
  for (auto& col : cols) col += "}";
  // ORDER BY the ordinality: rows take their identity ids in the order the
  // SELECT yields them.
  Query(c,
        "INSERT INTO events (project_id, category, date, actor_id, patch_id, series_id, cover_id, "
        "previous_state_id, current_state_id, previous_delegate_id, current_delegate_id, "
        "created_check_id, cover_comment_id, patch_comment_id) "
        "SELECT a, b, d, e, f, g, h, i, j, k, l, m, n, o FROM unnest(?1::bigint[], ?2::text[], "
        "?3::bigint[], ?4::bigint[], ?5::bigint[], ?6::bigint[], ?7::bigint[], ?8::bigint[], "
        "?9::bigint[], ?10::bigint[], ?11::bigint[], ?12::bigint[], ?13::bigint[], ?14::bigint[]) "
        "WITH ORDINALITY AS t (a, b, d, e, f, g, h, i, j, k, l, m, n, o, ord) ORDER BY ord",
        cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9],
        cols[10], cols[11], cols[12], cols[13])
      .Send();
  events.clear();
}

void KnownMsgids::Load(Connection& c, const std::vector<Id>& project_ids,
                       const std::vector<std::string>& msgids) {
  if (c.dialect() != Dialect::kPostgres) return;
  std::string list = "{";
  for (const auto& m : msgids) {
    if (flags_.emplace(m, 0).second) AppendText(list, m);
  }
  if (list.size() == 1) return;
  list += "}";
  const std::string projects = IdArray(project_ids);
  // Joins, not EXISTS per id: the planner probes each table's index once
  // per id when the table is large (msgid leads the mail tables' unique
  // indexes, (project_id, msgid) those of the reference tables) and hashes
  // the ids against one scan when it is small, where correlated EXISTS
  // scanned a small table once per id (0.75 s for an import of 5,000
  // mails). Only the ids that are something come back, maybe twice.
  Query q(c,
          "SELECT u.m, 1 FROM unnest(?1::text[]) u (m) JOIN patches x ON x.msgid = u.m "
          "UNION ALL SELECT u.m, 8 FROM unnest(?1::text[]) u (m) JOIN covers x ON x.msgid = u.m "
          "UNION ALL SELECT u.m, 1 FROM unnest(?1::text[]) u (m) JOIN patch_comments x "
          "ON x.msgid = u.m "
          "UNION ALL SELECT u.m, 8 FROM unnest(?1::text[]) u (m) JOIN cover_comments x "
          "ON x.msgid = u.m "
          "UNION ALL SELECT u.m, 2 FROM unnest(?1::text[]) u (m) JOIN series_references x "
          "ON x.msgid = u.m AND x.project_id = ANY (?2::bigint[]) "
          "UNION ALL SELECT u.m, 4 FROM unnest(?1::text[]) u (m) JOIN comment_refs x "
          "ON x.msgid = u.m AND x.project_id = ANY (?2::bigint[]) "
          "UNION ALL SELECT u.m, 4 FROM unnest(?1::text[]) u (m) JOIN held_mail_refs x "
          "ON x.msgid = u.m AND x.project_id = ANY (?2::bigint[])",
          list, projects);
  while (q.Next()) flags_[q.Str(0)] |= static_cast<unsigned char>(q.Int(1));
}

void KnownMsgids::StartComplete(Connection& c) {
  if (c.dialect() != Dialect::kSqlite) return;
  clear();
  complete_ = QueryInt(c,
                       "SELECT NOT EXISTS (SELECT 1 FROM patches) AND NOT EXISTS (SELECT 1 FROM covers) "
                       "AND NOT EXISTS (SELECT 1 FROM patch_comments) "
                       "AND NOT EXISTS (SELECT 1 FROM cover_comments) "
                       "AND NOT EXISTS (SELECT 1 FROM series_references) "
                       "AND NOT EXISTS (SELECT 1 FROM comment_refs) "
                       "AND NOT EXISTS (SELECT 1 FROM held_mail_refs)")
                  .value_or(0) == 1;
}

std::vector<TagPattern> Tags(Connection& c) {
  Query q(c, "SELECT id, pattern FROM tags ORDER BY id");
  std::vector<TagPattern> out;
  while (q.Next()) out.push_back({q.Int(0), q.Str(1)});
  return out;
}

bool ProjectUsesTags(Connection& c, Id project_id) {
  return QueryInt(c, "SELECT use_tags FROM projects WHERE id = ?1", project_id).value_or(0) != 0;
}

// One statement, not two: on PostgreSQL each is a round trip. In no order:
// its caller only counts (an ORDER BY made SQLite sort every text).
void ForEachPatchText(Connection& c, Id patch_id, const std::function<void(std::string_view)>& use) {
  Query q(c,
          "SELECT content FROM patches WHERE id = ?1 AND content IS NOT NULL "
          "UNION ALL SELECT content FROM patch_comments WHERE patch_id = ?1 AND content IS NOT NULL",
          patch_id);
  while (q.Next()) use(q.Text(0));
}

void ForEachPatchesText(Connection& c, const std::vector<Id>& patch_ids,
                        const std::function<void(Id, std::string_view)>& use) {
  if (patch_ids.empty()) return;
  if (c.dialect() != Dialect::kPostgres) {
    for (Id id : patch_ids) ForEachPatchText(c, id, [&](std::string_view t) { use(id, t); });
    return;
  }
  Query q(c,
          "SELECT id, content FROM patches WHERE id = ANY (?1::bigint[]) AND content IS NOT NULL "
          "UNION ALL SELECT patch_id, content FROM patch_comments "
          "WHERE patch_id = ANY (?1::bigint[]) AND content IS NOT NULL",
          IdArray(patch_ids));
  while (q.Next()) use(q.Int(0), q.Text(1));
}

void SetPatchTags(Connection& c, Id patch_id, const std::vector<std::pair<Id, int>>& counts) {
  Query(c, "DELETE FROM patch_tags WHERE patch_id = ?1", patch_id).Send();
  for (const auto& [tag_id, count] : counts) {
    if (count <= 0) continue;
    Query(c, "INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (?1, ?2, ?3)", patch_id,
          tag_id, count)
        .Send();
  }
}

void SetPatchesTags(Connection& c,
                    const std::vector<std::pair<Id, std::vector<std::pair<Id, int>>>>& counts) {
  if (counts.empty()) return;
  if (c.dialect() != Dialect::kPostgres) {
    for (const auto& [patch_id, tags] : counts) SetPatchTags(c, patch_id, tags);
    return;
  }
  std::vector<Id> patches, row_patches, row_tags, row_counts;
  for (const auto& [patch_id, tags] : counts) {
    patches.push_back(patch_id);
    for (const auto& [tag_id, count] : tags) {
      if (count <= 0) continue;
      row_patches.push_back(patch_id);
      row_tags.push_back(tag_id);
      row_counts.push_back(count);
    }
  }
  Query(c, "DELETE FROM patch_tags WHERE patch_id = ANY (?1::bigint[])", IdArray(patches)).Send();
  if (row_patches.empty()) return;
  Query(c,
        "INSERT INTO patch_tags (patch_id, tag_id, count) "
        "SELECT u.p, u.t, u.n FROM unnest(?1::bigint[], ?2::bigint[], ?3::bigint[]) AS u (p, t, n)",
        IdArray(row_patches), IdArray(row_tags), IdArray(row_counts))
      .Send();
}

Id InsertFailedMail(Connection& c, std::string_view raw, std::string_view reason,
                    std::string_view msgid, std::string_view list_id) {
  Statement& st = c.Prepare(
      "INSERT INTO failed_mails (received, msgid, list_id, reason, raw) VALUES "
      "(?1, ?2, ?3, ?4, ?5) RETURNING id");
  st.BindInt(1, NowMicros());
  st.BindText(2, msgid);
  st.BindText(3, list_id);
  st.BindText(4, reason);
  st.BindBlob(5, raw);
  Id id = st.Step() ? st.Int(0) : 0;
  st.Reset();
  return id;
}

void BumpGeneration(Connection& c) {
  Query(c, "UPDATE data_generation SET generation = generation + 1 WHERE id = 1").Send();
}

}  // namespace pb::db
