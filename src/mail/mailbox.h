// Reading many mails: an mbox file (mboxo or mboxrd, "From " separated) or a
// Maildir directory (cur/ and new/). The callback gets each message's raw
// bytes, without the "From " separator line and with mboxrd ">From " quoting
// undone.
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
Status ForEachMessage(const std::string& path, const MessageCallback& callback);

// Splits an in-memory mbox; exposed for tests and benchmarks.
void SplitMbox(std::string_view mbox, const MessageCallback& callback);

}  // namespace pb::mail
