// `patchbay parsearchive` on two cores: one thread reads the archive and
// parses each mail while the calling thread stores the one before. Parsing
// needs no database (service::ParseForIngest) and the mails reach the store
// in archive order, so the rows are those of a sequential ingest.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/ingest.h"

namespace pb::cli {

struct ParsedArchiveMail {
  std::string raw;
  Result<service::PreparedMail> parsed;
};

// What the store thread is done with. Its memory came from the parse
// thread's heap (glibc gives each thread an arena): freed on the store
// thread, each free takes that arena's lock, which the parser holds while it
// allocates, and merges the 9 KB mail buffers there (malloc_consolidate,
// unlink_chunk). Handed back, the parse thread frees it between mails,
// and the store thread, which bounds parsearchive's wall time, does not.
struct ParsedMailsDone {
  std::vector<ParsedArchiveMail> mails;  // stored
  std::vector<std::string> raws;         // a committed batch's mails, kept until then
  bool empty() const { return mails.empty() && raws.empty(); }
};

// Calls `store` for every mail of `path` (see mail::ForEachMessage), in
// order, on the calling thread; `store` returns false to stop early. An
// exception from `store` stops the reader and is rethrown. Returns the
// reader's status (an unreadable file). What the caller moves into `*done`
// (the mails it has stored) goes back to the parse thread to be freed
// (ParsedMailsDone); a mail left in the `store` argument is freed here.
Status ForEachParsedMail(const std::string& path, const service::IngestOptions& options,
                         const std::function<bool(ParsedArchiveMail&)>& store, ParsedMailsDone* done);

}  // namespace pb::cli
