// `patchbay parsearchive` on two cores: one thread reads the archive and
// parses each mail while the calling thread stores the one before. Parsing
// needs no database (service::ParseForIngest) and the mails reach the store
// in archive order, so the rows are those of a sequential ingest.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "service/ingest.h"

namespace pb::cli {

struct ParsedArchiveMail {
  std::string raw;
  Result<service::PreparedMail> parsed;
};

// Calls `store` for every mail of `path` (see mail::ForEachMessage), in
// order, on the calling thread; `store` returns false to stop early. An
// exception from `store` stops the reader and is rethrown. Returns the
// reader's status (an unreadable file).
Status ForEachParsedMail(const std::string& path, const service::IngestOptions& options,
                         const std::function<bool(ParsedArchiveMail&)>& store);

}  // namespace pb::cli
