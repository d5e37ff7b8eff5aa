#include "importer/importer.h"

#include <cstdio>

#include "db/import/upstream_tables.h"
#include "importer/clock.h"
#include "importer/progress.h"

namespace pb::importer {
namespace {

using db::import::Col;
using db::import::TableCopy;

// Binds source column `from` as target placeholder `to`, converting dates.
Status BindValue(db::Query& src, int from, db::Statement& dst, int to, Col kind,
                 const Clocks& clocks) {
  if (src.IsNull(from)) {
    dst.BindNull(to);
    return Status::Ok();
  }
  switch (kind) {
    case Col::kInt: dst.BindInt(to, src.Int(from)); break;
    case Col::kText: dst.BindText(to, src.Text(from)); break;
    case Col::kMailDate:
    case Col::kServerDate:
    case Col::kDjangoDate: {
      std::string_view text = src.Text(from);
      auto t = kind == Col::kMailDate     ? clocks.FromUtc(text)
               : kind == Col::kServerDate ? clocks.FromServer(text)
                                          : clocks.FromLocal(text);
      if (!t) return Status::Invalid("unreadable date '" + std::string(text) + "'");
      dst.BindInt(to, *t);
      break;
    }
  }
  return Status::Ok();
}

// Copies one table, a batch per target transaction; returns the rows copied.
Result<int64_t> CopyTable(db::Connection& source, db::Connection& target,
                          const db::import::SourceInfo& info, const TableCopy& t,
                          const Clocks& clocks, const Options& options, Progress& progress) {
  std::string select = db::import::ExpandSelect(source, info, t.select);
  int64_t total = db::import::CountRows(source, t.source_table);
  int64_t last = t.resume_by_id ? db::import::MaxId(target, t.target_table) : 0;
  int64_t already = t.resume_by_id ? db::import::CountRows(target, t.target_table) : 0;
  progress.Start(t.label, total, already);
  int64_t copied = 0;
  while (true) {
    int64_t n = 0;
    db::Transaction tx(target);
    {
      db::Query rows(source, select, last, options.batch_rows);
      db::Statement& insert = target.Prepare(t.insert);
      while (rows.Next()) {
        last = rows.Int(0);
        insert.Reset();
        for (size_t i = 0; i < t.columns.size(); ++i) {
          Status s = BindValue(rows, static_cast<int>(i) + 1, insert, static_cast<int>(i) + 1,
                               t.columns[i], clocks);
          if (!s.ok()) {
            return Status::Invalid(std::string(t.source_table) + " row " + std::to_string(last) +
                                   ": " + s.message());
          }
        }
        while (insert.Step()) {
        }
        ++n;
      }
      insert.Reset();
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
    db::import::DropUnusedDefaults(target);
    db::import::SourceInfo info{source.dialect(), options.time_zone};
    Progress progress(options.quiet);
    std::vector<const TableCopy*> copied;
    for (const TableCopy& t : db::import::Tables()) {
      if (t.needs_table && !db::import::HasTable(source, t.needs_table)) continue;
      auto n = CopyTable(source, target, info, t, *clocks, options, progress);
      if (!n.ok()) return n.status();
      copied.push_back(&t);
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
