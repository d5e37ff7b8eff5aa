// Opening and migrating the database for a command, with errors printed.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "db/connection.h"

namespace pb::cli {

// sysexits.h EX_TEMPFAIL: not done, try again later (an MTA redelivers).
inline constexpr int kExitTempFail = 75;

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

}  // namespace pb::cli
