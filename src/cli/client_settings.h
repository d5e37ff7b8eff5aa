// What a mail-delivering client takes from its options and environment,
// shared by `patchbay` itself and the static `patchbay-parsemail`
// (src/pipe/), which links nothing but libc and cli/ingest_protocol.cc: so
// the two cannot drift apart on a default, a variable or an exit code.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <string>

namespace pb::cli {

// sysexits.h EX_TEMPFAIL: not done, try again later (an MTA redelivers).
inline constexpr int kExitTempFail = 75;

// --database as given, else $PATCHBAY_DATABASE, else ./patchbay.db.
inline std::string DatabaseUrlOrDefault(std::string given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("PATCHBAY_DATABASE"); env && *env) return env;
  return "sqlite://patchbay.db";
}

// --ingest-socket as given, else $PATCHBAY_INGEST_SOCKET ("" for none).
inline std::string IngestSocketOrEnv(std::string given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("PATCHBAY_INGEST_SOCKET");
  return env && *env ? env : "";
}

// --ingest-timeout's seconds, at least 1; `fallback` when not given.
inline int IngestTimeoutSeconds(const std::string& text, int fallback) {
  return text.empty() ? fallback : std::max(1, std::atoi(text.c_str()));
}

}  // namespace pb::cli
