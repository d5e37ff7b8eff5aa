#include "importer/importer.h"

#include <chrono>
#include <cstdio>

#include "db/copy_text.h"
#include "db/import/upstream_tables.h"
#include "importer/clock.h"
#include "importer/progress.h"

namespace pb::importer {
namespace {

using db::import::Col;
using db::import::TableCopy;

// Where converted values go: the placeholders of an INSERT, in order, or a
// row of a COPY batch.
struct InsertSink {
  db::Statement& st;
  int next = 1;
  void Null() { st.BindNull(next++); }
  void Int(int64_t v) { st.BindInt(next++, v); }
  void Text(std::string_view v) { st.BindText(next++, v); }
};
struct CopySink {
  db::CopyText& rows;
  void Null() { rows.Null(); }
  void Int(int64_t v) { rows.Int(v); }
  void Text(std::string_view v) { rows.Text(v); }
};

// Puts source column `from` into the sink, converting dates.
template <typename Sink>
Status PutValue(db::Query& src, int from, Sink& sink, Col kind, const Clocks& clocks) {
  if (src.IsNull(from)) {
    sink.Null();
    return Status::Ok();
  }
  switch (kind) {
    case Col::kInt: sink.Int(src.Int(from)); break;
    case Col::kText: sink.Text(src.Text(from)); break;
    case Col::kMailDate:
    case Col::kServerDate:
    case Col::kDjangoDate: {
      std::string_view text = src.Text(from);
      auto t = kind == Col::kMailDate     ? clocks.FromUtc(text)
               : kind == Col::kServerDate ? clocks.FromServer(text)
                                          : clocks.FromLocal(text);
      if (!t) return Status::Invalid("unreadable date '" + std::string(text) + "'");
      sink.Int(*t);
      break;
    }
  }
  return Status::Ok();
}

// Puts one source row (the columns after the key) into the sink.
template <typename Sink>
Status PutRow(db::Query& rows, const TableCopy& t, Sink& sink, const Clocks& clocks,
              int64_t key) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    Status s = PutValue(rows, static_cast<int>(i) + 1, sink, t.columns[i], clocks);
    if (!s.ok()) {
      return Status::Invalid(std::string(t.source_table) + " row " + std::to_string(key) + ": " +
                             s.message());
    }
  }
  return Status::Ok();
}

// Copies one table, a batch per target transaction; returns the rows copied.
// Into an empty table on a backend with COPY (PostgreSQL), a batch is one
// COPY: one round trip instead of one per row. Otherwise (SQLite, or a
// resumed table that already holds rows, whose inserts must skip them) row
// by row.
Result<int64_t> CopyTable(db::Connection& source, db::Connection& target,
                          const db::import::SourceInfo& info, const TableCopy& t,
                          const Clocks& clocks, const Options& options, Progress& progress) {
  std::string select = db::import::ExpandSelect(source, info, t.select);
  int64_t total = db::import::CountRows(source, t.source_table);
  int64_t last = t.resume_by_id ? db::import::MaxId(target, t.target_table) : 0;
  int64_t already = db::import::CountRows(target, t.target_table);
  progress.Start(t.label, total, t.resume_by_id ? already : 0);
  bool copy = target.CanCopyIn() && already == 0;
  std::string copy_sql = copy ? db::import::CopySql(t) : "";
  db::CopyText batch;
  int64_t copied = 0;
  while (true) {
    int64_t n = 0;
    db::Transaction tx(target);
    {
      db::Query rows(source, select, last, options.batch_rows);
      if (copy) {
        batch.Clear();
        CopySink sink{batch};
        while (rows.Next()) {
          last = rows.Int(0);
          if (Status s = PutRow(rows, t, sink, clocks, last); !s.ok()) return s;
          batch.EndRow();
          ++n;
        }
        if (n > 0) target.CopyIn(copy_sql, batch.data());
      } else {
        db::Statement& insert = target.Prepare(t.insert);
        while (rows.Next()) {
          last = rows.Int(0);
          insert.Reset();
          InsertSink sink{insert};
          if (Status s = PutRow(rows, t, sink, clocks, last); !s.ok()) return s;
          while (insert.Step()) {
          }
          ++n;
        }
        insert.Reset();
      }
    }
    tx.Commit();
    copied += n;
    progress.Advance(n);
    if (n < options.batch_rows) break;
  }
  progress.Finish();
  return copied;
}

}  // namespace

Status Import(db::Connection& source, db::Connection& target, const Options& options) {
  auto clocks = Clocks::Make(options.time_zone, options.server_clock_local);
  if (!clocks.ok()) return clocks.status();
  try {
    if (!db::import::HasTable(source, "patchwork_patch") ||
        !db::import::HasTable(source, "patchwork_cover")) {
      return Status::Invalid(
          "the source is not an upstream Patchwork 3.x database (no patchwork_patch and "
          "patchwork_cover tables; Patchwork 2.x databases must be upgraded to 3.x first)");
    }
    if (!options.resume && db::import::TargetHasData(target)) {
      return Status::Invalid(
          "the target database already holds data; import into a new database, or pass "
          "--resume to continue an interrupted import into it");
    }
    target.SetDurable(false);
    db::import::PrepareTarget(target);
    db::import::DropUnusedDefaults(target);
    // Indexes are made once at the end, from sorted rows; a resumed import
    // finds them still pending.
    int deferred = db::import::DeferIndexes(target);
    db::import::SourceInfo info{source.dialect(), options.time_zone};
    Progress progress(options.quiet);
    std::vector<const TableCopy*> copied;
    for (const TableCopy& t : db::import::Tables()) {
      if (t.needs_table && !db::import::HasTable(source, t.needs_table)) continue;
      auto n = CopyTable(source, target, info, t, *clocks, options, progress);
      if (!n.ok()) return n.status();
      copied.push_back(&t);
    }
    auto t0 = std::chrono::steady_clock::now();
    int made = db::import::RestoreIndexes(target);
    if (!options.quiet) {
      std::fprintf(stderr, "indexes and foreign keys: %d dropped before the copy, %d made again: %.1f s\n",
                   deferred, made,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    db::import::FinishTarget(target);
    target.SetDurable(true);

    // Every source row must have landed (an insert that met a conflicting
    // row in a resumed target would have skipped it).
    std::string mismatches;
    for (const TableCopy* t : copied) {
      int64_t want = db::import::CountRows(source, t->source_table);
      int64_t got = db::import::CountRows(target, t->target_table);
      if (want != got) {
        mismatches += "\n  " + std::string(t->target_table) + ": " + std::to_string(got) +
                      " rows, upstream's " + t->source_table + " has " + std::to_string(want);
      }
    }
    if (!mismatches.empty()) return Status::Invalid("row counts differ:" + mismatches);
    if (!options.quiet) {
      std::fprintf(stderr, "checked: every table holds as many rows as upstream's\n");
    }
    return Status::Ok();
  } catch (const db::DbError& e) {
    return Status::Database(e.what());
  }
}

}  // namespace pb::importer
