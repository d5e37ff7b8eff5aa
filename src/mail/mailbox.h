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

// Splits an mbox that arrives in pieces exactly as SplitMbox splits it
// whole, holding only the message being read (plus the piece): what lets
// `patchbay parsearchive` read a 5 GB archive in a few MB. The view passed
// to the callback is valid only during the call.
class MboxSplitter {
 public:
  explicit MboxSplitter(const MessageCallback& callback) : callback_(callback) {}
  // False once the callback has asked to stop.
  bool Feed(std::string_view bytes);
  // Feed without the copy, for a reader: room for up to `n` more bytes
  // after what it holds (valid until the next call), then Fed() with the
  // number written there.
  char* Room(size_t n);
  bool Fed(size_t n);
  // End of input: delivers the last message.
  void Finish();

 private:
  void Line(size_t line_pos, size_t end);

  const MessageCallback& callback_;
  std::string buf_;   // its first held_ bytes are the mbox's; the rest is room
  size_t held_ = 0;
  size_t pos_ = 0;  // first byte of buf_ not yet split into lines
  bool in_message_ = false;
  size_t start_ = 0;  // the current message's first byte in buf_
  bool last_was_empty_ = false;
  size_t last_line_pos_ = 0;
  bool stopped_ = false;
};

}  // namespace pb::mail
