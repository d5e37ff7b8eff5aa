// Reading many mails: an mbox file (mboxo or mboxrd, "From " separated) or a
// Maildir directory (cur/ and new/). The callback gets each message's raw
// bytes, without the "From " separator line.
//
// Splitting follows Python's mailbox.mbox, which upstream's parsearchive
// uses: every line starting with "From " begins a new message (blank line or
// not), the blank line before it is dropped, and mboxrd ">From " quoting is
// NOT undone -- upstream stores the quoted lines as they are, so undoing it
// would change stored content and patch hashes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pb::mail {

// Return false from the callback to stop early.
using MessageCallback = std::function<bool(std::string_view raw_message)>;

// `path` may be an mbox file, a Maildir directory, or "-" for an mbox on stdin.
// A truncated last message is still delivered (the parser decides about it).
// A file whose first non-blank line is not a "From " line is one single
// message (what parsemail reads).
Status ForEachMessage(const std::string& path, const MessageCallback& callback);

// Splits an in-memory mbox; exposed for tests and benchmarks.
void SplitMbox(std::string_view mbox, const MessageCallback& callback);

}  // namespace pb::mail
