// Opening and migrating the database for a command, with errors printed.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "cli/client_settings.h"
#include "db/connection.h"

namespace pb::cli {

// Opens the URL and applies pending migrations; prints the error and returns
// null on failure. *unavailable (when given) says whether the failure was the
// database server not being there (a temporary failure: exit 75); without
// it, that DbError is thrown on to main(), which exits 75.
// With `error`, the message is appended there (a line) instead of printed:
// the ingest socket answers it to its client, as parsemail would print it.
std::unique_ptr<db::Connection> OpenMigrated(const std::string& url, bool* unavailable = nullptr,
                                             std::string* error = nullptr);

// main()'s boundary for an exception a command did not handle: one line on
// stderr naming the command; the exit code (75, EX_TEMPFAIL, when the
// database server cannot be reached, else 1).
int ReportUncaught(const std::string& command, const std::exception& e);
// ReportUncaught's line (with its newline) and exit code, as values: the
// ingest socket answers them to its client as parsemail would print them.
std::string UncaughtLine(const std::string& command, const std::exception& e, int* exit_code);

}  // namespace pb::cli
