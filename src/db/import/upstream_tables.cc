#include "db/import/upstream_tables.h"

#include <stdexcept>
#include <tuple>

#include "db/accounts.h"
#include "db/migrations.h"

namespace pb::db::import {
namespace {

using enum Col;

// Each statement pages by its first column: WHERE key > ?1 ORDER BY key LIMIT ?2.
// Booleans are read through CASE: SQLite and MySQL store 0/1, PostgreSQL a
// boolean, and patchbay wants 0/1 everywhere. Inserts ignore rows already
// present, so a resumed import can replay a batch.
// Built on first use, not before main(): every process would pay for it.
const std::vector<TableCopy>& AllTables() {
  static const std::vector<TableCopy> tables = {
      {"users", "auth_user", "users",
       "SELECT u.id, u.id, u.username, u.first_name, u.last_name, u.email, u.password,"
       " CASE WHEN u.is_active THEN 1 ELSE 0 END, CASE WHEN u.is_staff THEN 1 ELSE 0 END,"
       " CASE WHEN u.is_superuser THEN 1 ELSE 0 END, {{D:u.last_login}}, {{D:u.date_joined}},"
       " CASE WHEN p.send_email THEN 1 ELSE 0 END, COALESCE(p.items_per_page, 100),"
       " CASE WHEN p.show_ids THEN 1 ELSE 0 END"
       " FROM auth_user u LEFT JOIN patchwork_userprofile p ON p.user_id = u.id"
       " WHERE u.id > ?1 ORDER BY u.id LIMIT ?2",
       {kInt, kText, kText, kText, kText, kText, kInt, kInt, kInt, kDjangoDate, kDjangoDate, kInt,
        kInt, kInt},
       "INSERT INTO users (id, username, first_name, last_name, email, password, is_active,"
       " is_staff, is_superuser, last_login, date_joined, send_email, items_per_page, show_ids)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT DO NOTHING",
       true},
      // Token keys are not integers: paged by user (one token per user).
      {"tokens", "authtoken_token", "tokens",
       "SELECT t.user_id, t.key, t.user_id, {{D:t.created}} FROM authtoken_token t"
       " WHERE t.user_id > ?1 ORDER BY t.user_id LIMIT ?2",
       {kText, kInt, kDjangoDate},
       "INSERT INTO tokens (key, user_id, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
       false},
      {"projects", "patchwork_project", "projects",
       "SELECT p.id, p.id, p.linkname, p.name, p.listid, p.listemail, p.subject_match, p.web_url,"
       " p.scm_url, p.webscm_url, p.list_archive_url, p.list_archive_url_format,"
       " p.commit_url_format, CASE WHEN p.send_notifications THEN 1 ELSE 0 END,"
       " CASE WHEN p.use_tags THEN 1 ELSE 0 END,"
       " CASE WHEN {{OPT:patchwork_project:p.show_dependencies}} THEN 1 ELSE 0 END"
       " FROM patchwork_project p WHERE p.id > ?1 ORDER BY p.id LIMIT ?2",
       {kInt, kText, kText, kText, kText, kText, kText, kText, kText, kText, kText, kText, kInt,
        kInt, kInt},
       "INSERT INTO projects (id, linkname, name, listid, listemail, subject_match, web_url,"
       " scm_url, webscm_url, list_archive_url, list_archive_url_format, commit_url_format,"
       " send_notifications, use_tags, show_dependencies)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
       " ON CONFLICT DO NOTHING",
       true},
      {"maintainers", "patchwork_userprofile_maintainer_projects", "project_maintainers",
       "SELECT m.id, p.user_id, m.project_id FROM patchwork_userprofile_maintainer_projects m"
       " JOIN patchwork_userprofile p ON p.id = m.userprofile_id"
       " WHERE m.id > ?1 ORDER BY m.id LIMIT ?2",
       {kInt, kInt},
       "INSERT INTO project_maintainers (user_id, project_id) VALUES (?1, ?2)"
       " ON CONFLICT DO NOTHING",
       false},
      {"people", "patchwork_person", "people",
       "SELECT p.id, p.id, p.email, p.name, p.user_id FROM patchwork_person p"
       " WHERE p.id > ?1 ORDER BY p.id LIMIT ?2",
       {kInt, kText, kText, kInt},
       "INSERT INTO people (id, email, name, user_id) VALUES (?1, ?2, ?3, ?4)"
       " ON CONFLICT DO NOTHING",
       true},
      // Upstream's states and tags replace the seeded ones (DropUnusedDefaults).
      {"states", "patchwork_state", "states",
       "SELECT s.id, s.id, s.name, s.slug, s.ordering,"
       " CASE WHEN s.action_required THEN 1 ELSE 0 END"
       " FROM patchwork_state s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2",
       {kInt, kText, kText, kInt, kInt},
       "INSERT INTO states (id, name, slug, ordering, action_required)"
       " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
       true},
      {"tags", "patchwork_tag", "tags",
       "SELECT t.id, t.id, t.name, t.pattern, t.abbrev, CASE WHEN t.show_column THEN 1 ELSE 0 END"
       " FROM patchwork_tag t WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
       {kInt, kText, kText, kText, kInt},
       "INSERT INTO tags (id, name, pattern, abbrev, show_column) VALUES (?1, ?2, ?3, ?4, ?5)"
       " ON CONFLICT DO NOTHING",
       true},
      {"relations", "patchwork_patchrelation", "patch_relations",
       "SELECT r.id, r.id FROM patchwork_patchrelation r WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
       {kInt},
       "INSERT INTO patch_relations (id) VALUES (?1) ON CONFLICT DO NOTHING",
       true},
      {"covers", "patchwork_cover", "covers",
       "SELECT c.id, c.id, c.project_id, c.msgid, c.name, {{D:c.date}}, c.submitter_id,"
       " c.headers, c.content FROM patchwork_cover c WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
       {kInt, kInt, kText, kText, kMailDate, kInt, kText, kText},
       "INSERT INTO covers (id, project_id, msgid, name, date, submitter_id, headers, content)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
       true},
      // A series' date is its first mail's date. received_total is patchbay's
      // denormalised patch count.
      {"series", "patchwork_series", "series",
       "SELECT s.id, s.id, s.project_id, s.cover_letter_id, s.name, {{D:s.date}}, s.submitter_id,"
       " s.version, s.total,"
       " (SELECT COUNT(*) FROM patchwork_patch p WHERE p.series_id = s.id)"
       " FROM patchwork_series s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2",
       {kInt, kInt, kInt, kText, kMailDate, kInt, kInt, kInt, kInt},
       "INSERT INTO series (id, project_id, cover_letter_id, name, date, submitter_id, version,"
       " total, received_total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
       true},
      {"series references", "patchwork_seriesreference", "series_references",
       "SELECT r.id, r.id, r.project_id, r.series_id, r.msgid FROM patchwork_seriesreference r"
       " WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
       {kInt, kInt, kInt, kText},
       "INSERT INTO series_references (id, project_id, series_id, msgid) VALUES (?1, ?2, ?3, ?4)"
       " ON CONFLICT DO NOTHING",
       true},
      // Series.dependencies (upstream main, after v3.2): a ManyToMany on itself.
      {"series dependencies", "patchwork_series_dependencies", "series_dependencies",
       "SELECT d.id, d.from_series_id, d.to_series_id FROM patchwork_series_dependencies d"
       " WHERE d.id > ?1 ORDER BY d.id LIMIT ?2",
       {kInt, kInt},
       "INSERT INTO series_dependencies (series_id, depends_on_id) VALUES (?1, ?2)"
       " ON CONFLICT DO NOTHING",
       false, "patchwork_series_dependencies"},
      {"patches", "patchwork_patch", "patches",
       "SELECT p.id, p.id, p.project_id, p.msgid, p.name, {{D:p.date}}, p.submitter_id,"
       " p.delegate_id, COALESCE(p.state_id, 1), CASE WHEN p.archived THEN 1 ELSE 0 END, p.hash,"
       " p.commit_ref, p.pull_url, p.series_id, p.number, p.related_id, p.headers, p.content,"
       " p.diff FROM patchwork_patch p WHERE p.id > ?1 ORDER BY p.id LIMIT ?2",
       {kInt, kInt, kText, kText, kMailDate, kInt, kInt, kInt, kInt, kText, kText, kText, kInt,
        kInt, kInt, kText, kText, kText},
       "INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, delegate_id,"
       " state_id, archived, hash, commit_ref, pull_url, series_id, number, related_id, headers,"
       " content, diff) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
       " ?16, ?17, ?18) ON CONFLICT DO NOTHING",
       true},
      {"patch tags", "patchwork_patchtag", "patch_tags",
       "SELECT t.id, t.patch_id, t.tag_id, t.count FROM patchwork_patchtag t"
       " WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
       {kInt, kInt, kInt},
       "INSERT INTO patch_tags (patch_id, tag_id, count) VALUES (?1, ?2, ?3)"
       " ON CONFLICT DO NOTHING",
       false},
      {"patch comments", "patchwork_patchcomment", "patch_comments",
       "SELECT c.id, c.id, c.patch_id, c.msgid, {{D:c.date}}, c.submitter_id,"
       " CASE WHEN {{OPT:patchwork_patchcomment:c.addressed}} THEN 1"
       " WHEN NOT {{OPT:patchwork_patchcomment:c.addressed}} THEN 0 END, c.headers, c.content"
       " FROM patchwork_patchcomment c WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
       {kInt, kInt, kText, kMailDate, kInt, kInt, kText, kText},
       "INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id, addressed, headers,"
       " content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
       true},
      {"cover comments", "patchwork_covercomment", "cover_comments",
       "SELECT c.id, c.id, c.cover_id, c.msgid, {{D:c.date}}, c.submitter_id,"
       " CASE WHEN {{OPT:patchwork_covercomment:c.addressed}} THEN 1"
       " WHEN NOT {{OPT:patchwork_covercomment:c.addressed}} THEN 0 END, c.headers, c.content"
       " FROM patchwork_covercomment c WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
       {kInt, kInt, kText, kMailDate, kInt, kInt, kText, kText},
       "INSERT INTO cover_comments (id, cover_id, msgid, date, submitter_id, addressed, headers,"
       " content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
       true},
      {"bundles", "patchwork_bundle", "bundles",
       "SELECT b.id, b.id, b.owner_id, b.project_id, b.name, CASE WHEN b.public THEN 1 ELSE 0 END"
       " FROM patchwork_bundle b WHERE b.id > ?1 ORDER BY b.id LIMIT ?2",
       {kInt, kInt, kInt, kText, kInt},
       "INSERT INTO bundles (id, owner_id, project_id, name, public) VALUES (?1, ?2, ?3, ?4, ?5)"
       " ON CONFLICT DO NOTHING",
       true},
      // `order` is a keyword everywhere; qualified, every backend reads it as a column.
      {"bundle patches", "patchwork_bundlepatch", "bundle_patches",
       "SELECT b.id, b.id, b.bundle_id, b.patch_id, b.\"order\" FROM patchwork_bundlepatch b"
       " WHERE b.id > ?1 ORDER BY b.id LIMIT ?2",
       {kInt, kInt, kInt, kInt},
       "INSERT INTO bundle_patches (id, bundle_id, patch_id, position) VALUES (?1, ?2, ?3, ?4)"
       " ON CONFLICT DO NOTHING",
       true},
      {"checks", "patchwork_check", "checks",
       "SELECT c.id, c.id, c.patch_id, c.user_id, {{D:c.date}}, c.state, c.target_url,"
       " c.description, c.context FROM patchwork_check c WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
       {kInt, kInt, kInt, kServerDate, kInt, kText, kText, kText},
       "INSERT INTO checks (id, patch_id, user_id, date, state, target_url, description, context)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
       true},
      {"events", "patchwork_event", "events",
       "SELECT e.id, e.id, e.project_id, e.category, {{D:e.date}}, e.actor_id, e.patch_id,"
       " e.series_id, e.cover_id, e.previous_state_id, e.current_state_id,"
       " e.previous_delegate_id, e.current_delegate_id, e.previous_relation_id,"
       " e.current_relation_id, e.created_check_id,"
       " {{OPT:patchwork_event:e.cover_comment_id}}, {{OPT:patchwork_event:e.patch_comment_id}}"
       " FROM patchwork_event e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
       {kInt, kInt, kText, kServerDate, kInt, kInt, kInt, kInt, kInt, kInt, kInt, kInt, kInt,
        kInt, kInt, kInt, kInt},
       "INSERT INTO events (id, project_id, category, date, actor_id, patch_id, series_id,"
       " cover_id, previous_state_id, current_state_id, previous_delegate_id,"
       " current_delegate_id, previous_relation_id, current_relation_id, created_check_id,"
       " cover_comment_id, patch_comment_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
       " ?11, ?12, ?13, ?14, ?15, ?16, ?17) ON CONFLICT DO NOTHING",
       true},
      {"delegation rules", "patchwork_delegationrule", "delegation_rules",
       "SELECT r.id, r.id, r.project_id, r.user_id, r.path, r.priority"
       " FROM patchwork_delegationrule r WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
       {kInt, kInt, kInt, kText, kInt},
       "INSERT INTO delegation_rules (id, project_id, user_id, path, priority)"
       " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
       true},
      {"e-mail confirmations", "patchwork_emailconfirmation", "email_confirmations",
       "SELECT c.id, c.id, c.type, c.email, c.user_id, c.key, {{D:c.date}},"
       " CASE WHEN c.active THEN 1 ELSE 0 END FROM patchwork_emailconfirmation c"
       " WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
       {kInt, kText, kText, kInt, kText, kServerDate, kInt},
       "INSERT INTO email_confirmations (id, type, email, user_id, key, date, active)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
       true},
      // Keyed by the address itself: read in one batch (key ?1 is ignored
      // by comparing it with itself).
      {"e-mail opt-outs", "patchwork_emailoptout", "email_optouts",
       "SELECT ?1 + 1, o.email FROM patchwork_emailoptout o WHERE ?1 = 0 AND ?2 > 0",
       {kText},
       "INSERT INTO email_optouts (email) VALUES (?1) ON CONFLICT DO NOTHING",
       false},
      {"change notifications", "patchwork_patchchangenotification", "patch_change_notifications",
       "SELECT n.patch_id, n.patch_id, {{D:n.last_modified}}, n.orig_state_id"
       " FROM patchwork_patchchangenotification n WHERE n.patch_id > ?1"
       " ORDER BY n.patch_id LIMIT ?2",
       {kInt, kServerDate, kInt},
       "INSERT INTO patch_change_notifications (patch_id, last_modified, orig_state_id)"
       " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
       false},
  };
  return tables;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

const std::vector<TableCopy>& Tables() { return AllTables(); }

std::string ExpandSelect(Connection& source, const SourceInfo& info, const std::string& select) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = select.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = select.find("}}", open);
    if (close == std::string::npos) throw std::logic_error("unclosed macro in " + select);
    out.append(select, pos, open - pos);
    std::string macro = select.substr(open + 2, close - open - 2);
    if (macro.starts_with("D:")) {
      std::string expr = macro.substr(2);
      if (info.dialect == Dialect::kPostgres) {
        // Django with USE_TZ off writes naive values into timestamptz in the
        // connection's zone, TIME_ZONE: read them back the same way.
        std::string tz = info.time_zone;
        ReplaceAll(tz, "'", "''");
        out += "to_char(" + expr + " AT TIME ZONE '" + tz + "', 'YYYY-MM-DD HH24:MI:SS.US')";
      } else {
        out += expr;
      }
    } else if (macro.starts_with("OPT:")) {
      size_t colon = macro.find(':', 4);
      std::string table = macro.substr(4, colon - 4);
      std::string expr = macro.substr(colon + 1);
      std::string column = expr.substr(expr.find('.') + 1);
      out += HasColumn(source, table, column) ? expr : "NULL";
    } else {
      throw std::logic_error("unknown macro {{" + macro + "}}");
    }
    pos = close + 2;
  }
  out.append(select, pos, std::string::npos);
  return out;
}

std::string CopySql(const TableCopy& t) {
  std::string_view insert = t.insert;
  constexpr std::string_view kInsert = "INSERT INTO ";
  size_t values = insert.find(" VALUES ");
  if (!insert.starts_with(kInsert) || values == std::string_view::npos) {
    throw std::logic_error("not an INSERT ... VALUES: " + std::string(insert));
  }
  return "COPY " + std::string(insert.substr(kInsert.size(), values - kInsert.size())) +
         " FROM STDIN";
}

// A probe that fails to prepare on every backend when the name is missing.
// On PostgreSQL a failed statement outside a transaction leaves no trace.
bool HasTable(Connection& source, const std::string& table) {
  try {
    Query(source, "SELECT 1 FROM " + table + " WHERE 1 = 0").Run();
    return true;
  } catch (const DbError&) {
    return false;
  }
}

bool HasColumn(Connection& source, const std::string& table, const std::string& column) {
  try {
    Query(source, "SELECT " + column + " FROM " + table + " WHERE 1 = 0").Run();
    return true;
  } catch (const DbError&) {
    return false;
  }
}

int64_t CountRows(Connection& c, const std::string& table) {
  return QueryInt(c, "SELECT COUNT(*) FROM " + table).value_or(0);
}

int64_t MaxId(Connection& c, const std::string& table) {
  return QueryInt(c, "SELECT COALESCE(MAX(id), 0) FROM " + table).value_or(0);
}

bool TargetHasData(Connection& target) {
  for (const char* table : {"users", "projects", "people", "patches", "covers", "series"}) {
    if (QueryInt(target, std::string("SELECT COUNT(*) FROM ") + table).value_or(0) > 0) return true;
  }
  return false;
}

void DropUnusedDefaults(Connection& target) {
  Transaction tx(target);
  Query(target,
        "DELETE FROM states WHERE id NOT IN (SELECT state_id FROM patches)"
        " AND id NOT IN (SELECT orig_state_id FROM patch_change_notifications)"
        " AND id NOT IN (SELECT previous_state_id FROM events WHERE previous_state_id IS NOT NULL)"
        " AND id NOT IN (SELECT current_state_id FROM events WHERE current_state_id IS NOT NULL)")
      .Run();
  Query(target, "DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM patch_tags)").Run();
  tx.Commit();
}

void PrepareTarget(Connection& target) {
  if (target.dialect() != Dialect::kPostgres) return;
  // Index builds and the foreign-key checks of RestoreIndexes sort and hash
  // millions of rows: in memory rather than in temporary files.
  target.ExecScript("SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'");
  try {
    target.ExecScript("SET default_toast_compression = 'lz4'");
  } catch (const DbError&) {
    // A server built without lz4 keeps pglz.
  }
}

int DeferIndexes(Connection& target) {
  std::string tables;
  for (const TableCopy& t : AllTables()) {
    tables += std::string(tables.empty() ? "'" : ", '") + t.target_table + "'";
  }
  // Indexes behind constraints have no CREATE text on SQLite (sql IS NULL)
  // and share their constraint's name on PostgreSQL.
  std::string list =
      target.dialect() == Dialect::kPostgres
          ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename IN (" + tables + ") AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint) ORDER BY indexname"
          : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN (" + tables + ") ORDER BY name";
  Transaction tx(target);
  std::vector<std::pair<std::string, std::string>> found;
  {
    Query q(target, list);
    while (q.Next()) found.emplace_back(q.Str(0), q.Str(1));
  }
  for (const auto& [name, definition] : found) {
    Query(target,
          "INSERT INTO import_pending_indexes (name, definition) VALUES (?1, ?2)"
          " ON CONFLICT DO NOTHING",
          name, definition)
        .Run();
    target.ExecScript("DROP INDEX \"" + name + "\"");
  }
  int deferred = static_cast<int>(found.size());
  if (target.dialect() == Dialect::kPostgres) {
    // Each row copied into a table with foreign keys fires one check per
    // non-null key, a query of its own (a third of the server's time on
    // patches, more on events). Added back at the end, each constraint
    // checks all rows in one join instead; a row without its parent still
    // fails the import there.
    std::vector<std::tuple<std::string, std::string, std::string>> keys;  // table, name, definition
    {
      Query q(target,
              "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
              " JOIN pg_class c ON c.oid = k.conrelid"
              " WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace"
              " AND c.relname IN (" + tables + ") ORDER BY c.relname, k.conname");
      while (q.Next()) keys.emplace_back(q.Str(0), q.Str(1), q.Str(2));
    }
    for (const auto& [table, name, definition] : keys) {
      std::string on = "ALTER TABLE \"" + table + "\" ";
      Query(target,
            "INSERT INTO import_pending_indexes (name, definition) VALUES (?1, ?2)"
            " ON CONFLICT DO NOTHING",
            "foreign key " + table + "." + name,
            on + "ADD CONSTRAINT \"" + name + "\" " + definition)
          .Run();
      target.ExecScript(on + "DROP CONSTRAINT \"" + name + "\"");
    }
    deferred += static_cast<int>(keys.size());
  }
  tx.Commit();
  return deferred;
}

int RestoreIndexes(Connection& target) {
  std::vector<std::pair<std::string, std::string>> pending;
  {
    // Indexes first, then the foreign keys (ALTER TABLE … ADD CONSTRAINT).
    Query q(target,
            "SELECT name, definition FROM import_pending_indexes"
            " ORDER BY definition LIKE 'ALTER TABLE%', name");
    while (q.Next()) pending.emplace_back(q.Str(0), q.Str(1));
  }
  for (const auto& [name, definition] : pending) {
    Transaction tx(target);
    target.ExecScript(definition);
    Query(target, "DELETE FROM import_pending_indexes WHERE name = ?1", name).Run();
    tx.Commit();
  }
  if (target.dialect() == Dialect::kPostgres) {
    // The references PostgreSQL keeps by triggers, not constraints
    // (migrations 18, 19), are checked nowhere else: as adding a foreign
    // key back checks its rows, one anti-join each, and a row without its
    // parent fails the import.
    for (const TriggerKey& k : TriggerKeptKeys()) {
      std::string child = k.table, column = k.column, parent = k.parent;
      int64_t orphans =
          QueryInt(target, "SELECT COUNT(*) FROM " + child + " c WHERE c." + column +
                               " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + parent +
                               " p WHERE p.id = c." + column + ")")
              .value_or(0);
      if (orphans > 0) {
        throw DbError(DbError::Kind::kConstraint,
                      std::to_string(orphans) + " rows of " + child + " have a " + column +
                          " that is no id of " + parent);
      }
    }
  }
  return static_cast<int>(pending.size());
}

void FinishTarget(Connection& target) {
  Transaction tx(target);
  if (target.dialect() == Dialect::kPostgres) {
    for (const char* table :
         {"users", "projects", "people", "states", "tags", "patch_relations", "covers", "series",
          "series_references", "patches", "patch_comments", "cover_comments", "bundles",
          "bundle_patches", "checks", "events", "delegation_rules", "email_confirmations"}) {
      std::string t = table;
      // is_called = false when empty: the next id is then 1.
      Query(target, "SELECT setval(pg_get_serial_sequence('" + t + "', 'id'),"
                    " COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM " + t)
          .Run();
    }
  }
  LinkPeopleToActiveUsers(target);
  Query(target, "UPDATE data_generation SET generation = generation + 1 WHERE id = 1").Run();
  tx.Commit();
  // PostgreSQL plans from statistics that autovacuum would gather only some
  // time after a bulk load: gather them now, so the first requests plan well.
  // (SQLite plans without sqlite_stat1 unless an admin runs ANALYZE.)
  if (target.dialect() == Dialect::kPostgres) target.ExecScript("ANALYZE");
}

}  // namespace pb::db::import
