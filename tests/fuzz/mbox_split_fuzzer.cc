// libFuzzer target: the mbox splitter (`patchbay parsearchive`). Any bytes
// split whole (mail::SplitMbox) and fed in pieces (mail::MboxSplitter, as
// parsearchive reads a file) must give the same messages: a difference, or
// a message that is not a range of the input, aborts. The first byte picks
// the piece size (1 to 256 bytes), so the splitter's line and buffer
// boundaries fall everywhere. Built by scripts/fuzz.sh with clang, ASan and
// UBSan; replayed by ctest's fuzz_replay_mbox_split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mail/mailbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0];
  std::string_view mbox(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::vector<std::string> whole;
  pb::mail::SplitMbox(mbox, [&](std::string_view m) {
    // Messages are views into the input (the blank line before a "From "
    // line and the separator itself are dropped, nothing is rewritten).
    if (m.data() < mbox.data() || m.data() + m.size() > mbox.data() + mbox.size()) std::abort();
    whole.emplace_back(m);
    return true;
  });

  std::vector<std::string> pieces;
  pb::mail::MessageCallback keep = [&](std::string_view m) {
    pieces.emplace_back(m);
    return true;
  };
  pb::mail::MboxSplitter splitter(keep);
  for (size_t at = 0; at < mbox.size(); at += piece) {
    if (!splitter.Feed(mbox.substr(at, piece))) break;
  }
  splitter.Finish();
  if (pieces != whole) std::abort();

  // Stopping early delivers exactly the messages before the stop.
  if (whole.size() > 1) {
    size_t delivered = 0;
    pb::mail::SplitMbox(mbox, [&](std::string_view) { return ++delivered < 2; });
    if (delivered != 2) std::abort();
  }
  return 0;
}
