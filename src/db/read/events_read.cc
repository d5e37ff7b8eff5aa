#include "db/read/events_read.h"

#include <algorithm>

#include "db/read/sql_args.h"

namespace pb::db::read {
namespace {

constexpr const char* kColumns =
    "e.id, e.project_id, e.category, e.date, e.previous_state_id, e.current_state_id, "
    "a.id, a.username, a.first_name, a.last_name, a.email, "
    "p.id, p.project_id, p.msgid, p.name, p.date, "
    "sr.id, sr.date, sr.name, sr.version, sr.project_id, "
    "c.id, c.project_id, c.msgid, c.name, c.date, "
    "pd.id, pd.username, pd.first_name, pd.last_name, pd.email, "
    "cd.id, cd.username, cd.first_name, cd.last_name, cd.email, "
    "ch.id, ch.patch_id, ch.date, ch.state, ch.target_url, ch.context, "
    "cc.id, cc.cover_id, cc.msgid, cc.date, "
    "pc.id, pc.patch_id, pc.msgid, pc.date";
constexpr const char* kJoins =
    " LEFT JOIN users a ON a.id = e.actor_id"
    " LEFT JOIN patches p ON p.id = e.patch_id"
    " LEFT JOIN series sr ON sr.id = e.series_id"
    " LEFT JOIN covers c ON c.id = e.cover_id"
    " LEFT JOIN users pd ON pd.id = e.previous_delegate_id"
    " LEFT JOIN users cd ON cd.id = e.current_delegate_id"
    " LEFT JOIN checks ch ON ch.id = e.created_check_id"
    " LEFT JOIN cover_comments cc ON cc.id = e.cover_comment_id"
    " LEFT JOIN patch_comments pc ON pc.id = e.patch_comment_id";

std::string Where(const EventFilter& f, SqlArgs& args) {
  std::string w = " WHERE 1=1";
  AddIdFilter(w, args, "e.project_id", f.projects);
  if (f.category) w += " AND e.category = " + args.Add(*f.category);
  AddIdFilter(w, args, "e.series_id", f.series);
  AddIdFilter(w, args, "e.patch_id", f.patches);
  AddIdFilter(w, args, "e.cover_id", f.covers);
  if (f.actor) w += " AND e.actor_id = " + args.Add(*f.actor);
  if (f.since) w += " AND e.date >= " + args.Add(*f.since);
  if (f.before) w += " AND e.date < " + args.Add(*f.before);
  if (f.exclude_comment_events) {
    w += " AND e.category NOT IN ('cover-comment-created', 'patch-comment-created')";
  }
  return w;
}

// The count's statement, also CountCache's key: one text for the count
// that fills the cache and the look-up that only reads it.
std::string CountSql(const EventFilter& f, SqlArgs& args) {
  return "SELECT COUNT(*) FROM events e" + Where(f, args);
}

// A page's ids in order (ReadPage's `select_ids`, also the id cache's key).
std::string SelectIds(const EventFilter& f, SqlArgs& args) {
  // Upstream orders by date only; ties (one transaction's events) go by id
  // in the same direction.
  return "SELECT e.id AS pid FROM events e" + Where(f, args) +
         (f.ascending ? " ORDER BY e.date, e.id" : " ORDER BY e.date DESC, e.id DESC");
}

std::optional<UserRec> ReadUser(Statement& st, int i) {
  if (st.IsNull(i)) return std::nullopt;
  return UserRec{st.Int(i), std::string(st.Text(i + 1)), std::string(st.Text(i + 2)),
                 std::string(st.Text(i + 3)), std::string(st.Text(i + 4))};
}

// The created check (6 columns), then the cover and patch comment (4 each),
// from column `col` on: the tail both row layouts end with.
void ReadCheckAndComments(Statement& st, int col, EventRec& e) {
  if (!st.IsNull(col)) {
    CheckRec k;
    k.id = st.Int(col);
    k.patch_id = st.Int(col + 1);
    k.date = st.Int(col + 2);
    k.state = static_cast<int>(st.Int(col + 3));
    if (!st.IsNull(col + 4)) k.target_url = std::string(st.Text(col + 4));
    k.context = std::string(st.Text(col + 5));
    e.check = std::move(k);
  }
  // A comment's project is its parent's, which is the event's.
  auto comment = [&](int first) {
    return CommentRef{st.Int(first), st.Int(first + 1), e.project_id,
                      std::string(st.Text(first + 2)), st.Int(first + 3)};
  };
  if (!st.IsNull(col + 6)) e.cover_comment = comment(col + 6);
  if (!st.IsNull(col + 10)) e.patch_comment = comment(col + 10);
}

// The event's own columns 0-5, the same in the full and the lean row.
void ReadHead(Statement& st, EventRec& e) {
  e.id = st.Int(0);
  e.project_id = st.Int(1);
  e.category = std::string(st.Text(2));
  e.date = st.Int(3);
  if (!st.IsNull(4)) e.previous_state_id = st.Int(4);
  if (!st.IsNull(5)) e.current_state_id = st.Int(5);
}

void ReadRow(Statement& st, EventRec& e) {
  ReadHead(st, e);
  e.actor = ReadUser(st, 6);
  if (!st.IsNull(11)) {
    e.patch = PatchRef{st.Int(11), st.Int(12), std::string(st.Text(13)), std::string(st.Text(14)),
                       st.Int(15)};
  }
  if (!st.IsNull(16)) {
    SeriesRef s;
    s.id = st.Int(16);
    s.date = st.Int(17);
    if (!st.IsNull(18)) s.name = std::string(st.Text(18));
    s.version = static_cast<int>(st.Int(19));
    if (!st.IsNull(20)) s.project_id = st.Int(20);
    e.series = std::move(s);
  }
  if (!st.IsNull(21)) {
    e.cover = CoverRef{st.Int(21), st.Int(22), std::string(st.Text(23)), std::string(st.Text(24)),
                       st.Int(25)};
  }
  e.previous_delegate = ReadUser(st, 26);
  e.current_delegate = ReadUser(st, 31);
  ReadCheckAndComments(st, 36, e);
}

}  // namespace

int64_t CountEvents(Connection& c, const EventFilter& f, CountCache* cache, int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CachedCount(c, sql, args, cache, generation);
}

std::vector<EventRec> ListEvents(Connection& c, const EventFilter& f, int64_t limit,
                                 int64_t offset,
                                 OrderedIdCache* ids, int64_t generation, EmbedCache* embeds) {
  SqlArgs args;
  auto rows = ReadPage<EventRec>(
      c, SelectIds(f, args), args, limit, offset, ids, generation,
      PageRowsSql{kColumns, "events e", kJoins, "e.id"},
      [](Statement& st, EventRec& r) { ReadRow(st, r); });
  // Only ListEventsAlone (PostgreSQL) reads pages without these records.
  if (embeds && c.dialect() == Dialect::kPostgres) {
    embeds->Keep(generation, rows);
    embeds->KeepEventLinks(generation, rows);
  }
  return rows;
}

std::optional<int64_t> CachedEventCount(const EventFilter& f, const CountCache& cache,
                                        int64_t generation) {
  SqlArgs args;
  std::string sql = CountSql(f, args);
  return CountIfCached(sql, args, cache, generation);
}

namespace {

// An event's row without its actor, delegates, patch, series and cover,
// which EmbedCache completes: their ids only, and the joins of the rest.
constexpr const char* kLeanColumns =
    "e.id, e.project_id, e.category, e.date, e.previous_state_id, e.current_state_id, "
    "e.actor_id, e.patch_id, e.series_id, e.cover_id, e.previous_delegate_id, "
    "e.current_delegate_id, "
    "ch.id, ch.patch_id, ch.date, ch.state, ch.target_url, ch.context, "
    "cc.id, cc.cover_id, cc.msgid, cc.date, "
    "pc.id, pc.patch_id, pc.msgid, pc.date";
// The events' own columns that kLeanColumns and kLeanJoins read.
constexpr const char* kLeanTableColumns =
    "e.id, e.project_id, e.category, e.date, e.previous_state_id, e.current_state_id, "
    "e.actor_id, e.patch_id, e.series_id, e.cover_id, e.previous_delegate_id, "
    "e.current_delegate_id, e.created_check_id, e.cover_comment_id, e.patch_comment_id";
constexpr const char* kLeanJoins =
    " LEFT JOIN checks ch ON ch.id = e.created_check_id"
    " LEFT JOIN cover_comments cc ON cc.id = e.cover_comment_id"
    " LEFT JOIN patch_comments pc ON pc.id = e.patch_comment_id";

// kLeanColumns without the joins' (NULLs in their place), for a deep page
// whose events' check and comments EmbedCache keeps (§9u).
constexpr const char* kLeanColumnsNoLinks =
    "e.id, e.project_id, e.category, e.date, e.previous_state_id, e.current_state_id, "
    "e.actor_id, e.patch_id, e.series_id, e.cover_id, e.previous_delegate_id, "
    "e.current_delegate_id, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

void ReadLeanRow(Statement& st, EventRec& e) {
  ReadHead(st, e);
  auto user = [&st](int i) { return st.IsNull(i) ? std::nullopt : std::optional<UserRec>(UserRec{st.Int(i), {}, {}, {}, {}}); };
  e.actor = user(6);
  if (!st.IsNull(7)) e.patch = PatchRef{st.Int(7), 0, {}, {}, 0};
  if (!st.IsNull(8)) e.series = SeriesRef{st.Int(8), 0, std::nullopt, 1, std::nullopt};
  if (!st.IsNull(9)) e.cover = CoverRef{st.Int(9), 0, {}, {}, 0};
  e.previous_delegate = user(10);
  e.current_delegate = user(11);
  ReadCheckAndComments(st, 12, e);
}

}  // namespace

std::optional<PageAlone<EventRec>> ListEventsAlone(Connection& c, const EventFilter& f,
                                                   int64_t limit, int64_t offset,
                                                   OrderedIdCache* ids, int64_t generation,
                                                   EmbedCache* embeds) {
  SqlArgs args;
  std::string select_ids = SelectIds(f, args);
  if (embeds) {
    // As patches_read.cc's ListPatchesAlone: the embedded records from
    // `embeds` when it holds them at the generation the statement read.
    // A deep page's ids are known before the statement is sent: when
    // `embeds` holds the created check and comments of all of them at
    // `generation`, the statement has no joins (three index look-ups per
    // row), and those come from `embeds` too, as the cover pages' series.
    std::optional<std::vector<Id>> known = CachedPageIds(select_ids, args, limit, offset, ids, generation);
    const bool links_kept = known && embeds->KeepsEventLinks(generation, *known);
    static const PageRowsSql lean{kLeanColumns, "events e", kLeanJoins, "e.id", kLeanTableColumns};
    static const PageRowsSql lean_no_links{kLeanColumnsNoLinks, "events e", "", "e.id", kLeanTableColumns};
    auto page = ReadPageAlone<EventRec>(c, select_ids, args, limit, offset, ids, generation,
                                        links_kept ? lean_no_links : lean, "", 0,
                                        [](Statement& st, EventRec& r) { ReadLeanRow(st, r); });
    if (!page || page->generation != generation) return page;
    bool links = true;
    if (links_kept) {
      // False only when a newer generation emptied `embeds` meanwhile.
      links = embeds->FillEventLinks(generation, page->rows);
    } else {
      embeds->KeepEventLinks(generation, page->rows);
    }
    if (links && embeds->Fill(generation, page->rows)) return page;
  }
  auto full = ReadPageAlone<EventRec>(c, select_ids, args, limit, offset, ids, generation,
                                      PageRowsSql{kColumns, "events e", kJoins, "e.id"}, "", 0,
                                      [](Statement& st, EventRec& r) { ReadRow(st, r); });
  if (full && embeds) {
    embeds->Keep(full->generation, full->rows);
    embeds->KeepEventLinks(full->generation, full->rows);
  }
  return full;
}

Id MaxEventId(Connection& c) {
  return QueryInt(c, "SELECT COALESCE(MAX(id), 0) FROM events").value_or(0);
}

// The event stream's poll (once a second per server, usually finding
// nothing): the ids first, from events alone, then those rows by id. As one
// statement, PostgreSQL planned its ten joins afresh on every poll (13-67 ms
// at 1M patches: `e.id > ?` makes a generic plan expect a third of the
// table, so it stays on custom plans); the rows by id keep a generic plan,
// and the ids' statement is cheap to plan.
std::vector<EventRec> EventsAfter(Connection& c, const EventFilter& f, Id after, int64_t limit) {
  SqlArgs args;
  std::string where = Where(f, args);
  const bool unfiltered = where == " WHERE 1=1";
  where += " AND e.id > " + args.Add(after);
  std::string sql =
      "SELECT e.id FROM events e" + where + " ORDER BY e.id" + LimitOffset(c.dialect(), args, limit);
  std::vector<Id> ids;
  {
    DynQuery q(c, sql, args);
    while (q.st().Step()) ids.push_back(q.st().Int(0));
  }
  if (ids.empty()) return {};
  if (unfiltered) {
    // No filter (the hub's live rounds): the ids are every event in
    // (after, last id], so the rows are read by that range. The same text
    // every time, with two parameters, where an IN list of up to a thousand
    // was a new statement for each count: PostgreSQL spent 7.5 ms planning
    // a bulk commit's 684 ids before 11 ms running it.
    static const std::string range = std::string("SELECT ") + kColumns + " FROM events e" + kJoins +
                                     " WHERE e.id > ?1 AND e.id <= ?2 ORDER BY e.id";
    SqlArgs bounds;
    bounds.Add(after);
    bounds.Add(ids.back());
    std::vector<EventRec> out;
    out.reserve(ids.size());
    DynQuery q(c, range, bounds);
    while (q.st().Step()) ReadRow(q.st(), out.emplace_back());
    return out;
  }
  static const std::string rows = std::string("SELECT ") + kColumns + " FROM events e" + kJoins;
  return ReadRowsByIds<EventRec>(c, ids, rows, "e.id",
                                 [](Statement& st, EventRec& r) { ReadRow(st, r); });
}

bool EventMatches(const EventFilter& f, const EventRec& e) {
  auto in = [](const std::optional<std::vector<Id>>& ids, std::optional<Id> id) {
    return !ids || (id && std::find(ids->begin(), ids->end(), *id) != ids->end());
  };
  if (!in(f.projects, e.project_id)) return false;
  if (f.category && e.category != *f.category) return false;
  if (!in(f.series, e.series ? std::optional<Id>(e.series->id) : std::nullopt)) return false;
  if (!in(f.patches, e.patch ? std::optional<Id>(e.patch->id) : std::nullopt)) return false;
  if (!in(f.covers, e.cover ? std::optional<Id>(e.cover->id) : std::nullopt)) return false;
  if (f.actor && (!e.actor || e.actor->id != *f.actor)) return false;
  if (f.since && e.date < *f.since) return false;
  if (f.before && e.date >= *f.before) return false;
  if (f.exclude_comment_events &&
      (e.category == "cover-comment-created" || e.category == "patch-comment-created")) {
    return false;
  }
  return true;
}

bool ListenForEvents(Connection& c) { return c.Listen("patchbay_events"); }

std::vector<EventRec> EventsByIds(Connection& c, const std::vector<Id>& ids) {
  std::vector<EventRec> out;
  if (ids.empty()) return out;
  Statement& st = c.Prepare(std::string("SELECT ") + kColumns + " FROM events e" + kJoins +
                            " WHERE e.id IN (" + IdListPlaceholders(ids.size(), 1) +
                            ") ORDER BY e.id");
  // Padded as BindIdList pads: the last id repeated.
  size_t n = IdListSize(ids.size());
  for (size_t i = 0; i < n; ++i) st.BindInt(static_cast<int>(i + 1), ids[std::min(i, ids.size() - 1)]);
  while (st.Step()) {
    EventRec r;
    ReadRow(st, r);
    out.push_back(std::move(r));
  }
  st.Reset();
  return out;
}

}  // namespace pb::db::read
