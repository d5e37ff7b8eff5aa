// `patchbay import`: copies an upstream Patchwork database into patchbay's
// schema with every id kept, so every URL that named a row still does.
//
// Each table is copied in batches, each batch one target transaction, so an
// interrupted import keeps what it committed; run again with `resume`, it
// continues after the last id each table holds (tables without their own id
// replay from the start, their inserts skipping rows already there).
#pragma once

#include <string>

#include "core/status.h"
#include "db/connection.h"

namespace pb::importer {

struct Options {
  std::string time_zone = "Australia/Canberra";  // upstream's TIME_ZONE
  bool server_clock_local = false;  // source written by Patchwork v3.2 or later
  bool resume = false;              // the target may hold rows (an earlier run)
  bool quiet = false;
  int batch_rows = 2000;
};

// source: upstream's database (db::import::OpenSource); target: a migrated
// patchbay database. Fails before writing when the target holds data and
// resume is off, and after copying when a table's counts differ.
Status Import(db::Connection& source, db::Connection& target, const Options& options);

}  // namespace pb::importer
