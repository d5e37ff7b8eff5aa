// The SQL of `patchbay import`: how each upstream Patchwork table (Django
// schema, v3.0 to v3.2 and main) is read, and how its rows are written into
// patchbay's tables with their ids unchanged. The copy loop, the clocks and
// the progress report live in importer/; only SQL text lives here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.h"

namespace pb::db::import {

// What a source column holds and how the importer turns it into a bound value.
enum class Col {
  kInt,          // integer or NULL (booleans are read as 0/1)
  kText,         // text or NULL
  kMailDate,     // naive datetime text, UTC (dates parsed from mails)
  kServerDate,   // naive datetime text written by Patchwork's own clock ("now")
  kDjangoDate,   // naive datetime text written by Django's timezone.now(): local
};

struct TableCopy {
  const char* label;         // shown in the progress report
  const char* source_table;  // counted for the progress report and the final check
  const char* target_table;  // counted for the final check
  // Column 0 is the paging key (an integer, ascending); the others bind ?1.. of
  // `insert`. Placeholders: ?1 = last key seen, ?2 = batch size. Macros
  // expanded per source: {{D:expr}} a datetime as naive text;
  // {{OPT:table:expr}} expr when table has that column, else NULL.
  const char* select;
  std::vector<Col> columns;  // of the inserted values (not the key)
  const char* insert;
  // The target's rows have the source's key as `id`: a resumed import starts
  // after the target's MAX(id). Other tables start over (inserts ignore rows
  // already there).
  bool resume_by_id;
  // Only copied when the source has this table (newer upstream versions).
  const char* needs_table = nullptr;
};

// In dependency order (referenced tables first).
const std::vector<TableCopy>& Tables();

// Turns a TableCopy's select into the source's SQL.
struct SourceInfo {
  Dialect dialect;
  std::string time_zone;  // upstream's TIME_ZONE, for PostgreSQL timestamptz
};
std::string ExpandSelect(Connection& source, const SourceInfo& info, const std::string& select);

// The COPY ... FROM STDIN of a TableCopy's insert: same table, same columns.
std::string CopySql(const TableCopy& t);

bool HasTable(Connection& source, const std::string& table);
bool HasColumn(Connection& source, const std::string& table, const std::string& column);

int64_t CountRows(Connection& c, const std::string& table);
int64_t MaxId(Connection& c, const std::string& table);

// Rows an admin made in the target (anything beyond the migrations' defaults).
bool TargetHasData(Connection& target);
// Migrations seed states 1-10 and tags 1-3; upstream's own replace them.
// Deletes the seeded rows nothing refers to yet.
void DropUnusedDefaults(Connection& target);
// Session settings for a bulk copy into `target`. PostgreSQL: large texts
// (headers, contents, diffs) are compressed with lz4 where the server has it,
// several times cheaper in CPU than the default pglz; reads are unchanged.
void PrepareTarget(Connection& target);
// Drops the secondary indexes (those behind no PRIMARY KEY or UNIQUE
// constraint) of the tables the import fills, and on PostgreSQL their
// foreign keys, keeping each definition in import_pending_indexes; returns
// how many were dropped. PRIMARY KEY and UNIQUE constraints stay, so inserts
// still check them; a foreign key checks every row when it is added back.
int DeferIndexes(Connection& target);
// Makes every index, then every foreign key, import_pending_indexes holds,
// one transaction each; returns how many.
int RestoreIndexes(Connection& target);
// After rows were inserted with explicit ids: PostgreSQL identity columns
// must continue past them (SQLite takes MAX(rowid) + 1 by itself); and
// caches keyed on data_generation must see the new data; PostgreSQL gets
// its planner statistics (ANALYZE).
void FinishTarget(Connection& target);

}  // namespace pb::db::import
