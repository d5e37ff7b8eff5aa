#include "mail/mailbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace pb::mail {
namespace {

std::vector<std::string> Split(std::string_view mbox) {
  std::vector<std::string> out;
  SplitMbox(mbox, [&](std::string_view m) {
    out.emplace_back(m);
    return true;
  });
  return out;
}

TEST(SplitMbox, SeparatesAtFromLinesAndDropsOneBlankLine) {
  auto msgs = Split("From a@b Mon Jan 1 00:00:00 2000\nSubject: 1\n\nbody\n\n"
                    "From c@d Mon Jan 1 00:00:00 2000\nSubject: 2\n\nbody2\n");
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0], "Subject: 1\n\nbody\n");
  EXPECT_EQ(msgs[1], "Subject: 2\n\nbody2\n");
}

TEST(SplitMbox, AnyFromLineSplitsEvenWithoutBlankLine) {
  // mailbox.mbox does not require a blank line before "From ".
  auto msgs = Split("From x\nA: 1\n\nline\nFrom y\nB: 2\n\n");
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0], "A: 1\n\nline\n");
  EXPECT_EQ(msgs[1], "B: 2\n");
}

TEST(SplitMbox, KeepsMboxrdQuotingLikeUpstream) {
  auto msgs = Split("From x\nA: 1\n\n>From here\n>>From there\n");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0], "A: 1\n\n>From here\n>>From there\n");
}

TEST(SplitMbox, IgnoresTextBeforeFirstFromLine) {
  auto msgs = Split("junk\nFrom x\nA: 1\n");
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0], "A: 1\n");
}

TEST(SplitMbox, StopsWhenCallbackReturnsFalse) {
  int n = 0;
  SplitMbox("From a\nX: 1\n\nFrom b\nX: 2\n", [&](std::string_view) {
    ++n;
    return false;
  });
  EXPECT_EQ(n, 1);
}

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/pb-mail-test-XXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// parsearchive streams the file: every way of cutting it into pieces must
// give the messages SplitMbox gives for the whole.
TEST(MboxSplitter, AnyPieceSizeSplitsLikeSplitMbox) {
  const std::string mbox =
      "\n \njunk\nFrom a@b Mon Jan 1 00:00:00 2000\nSubject: 1\n\nbody\n\n"
      "From c\nB: 2\n\nline\nFrom \n\n\nFrom d\n>From q\nFrom e\nlast line without newline";
  const auto whole = Split(mbox);
  ASSERT_EQ(whole.size(), 5u);
  for (size_t piece = 1; piece <= mbox.size(); ++piece) {
    std::vector<std::string> got;
    MessageCallback keep = [&](std::string_view m) {
      got.emplace_back(m);
      return true;
    };
    MboxSplitter splitter(keep);
    for (size_t at = 0; at < mbox.size(); at += piece) splitter.Feed(std::string_view(mbox).substr(at, piece));
    splitter.Finish();
    EXPECT_EQ(got, whole) << "piece size " << piece;
  }
}

// The splitter jumps from line to line with a 16-byte scan for "\nFrom ":
// long random mboxes of lines that almost start messages, cut anywhere.
TEST(MboxSplitter, RandomMboxesCutAnywhereSplitLikeSplitMbox) {
  const char* lines[] = {"From a@b Mon Jan 1\n", "\n", "text\n", "Fro\n", "From\n", "From \n",
                         ">From y\n", "\r\n", "FFrom z\n", "a long line of text, Fine From here\n",
                         "F\n", "From"};
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0x7fff;
  };
  for (int round = 0; round < 40; ++round) {
    std::string mbox = round % 2 ? "From start\n" : "";
    int n = 20 + static_cast<int>(next() % 200);
    for (int i = 0; i < n; ++i) mbox += lines[next() % std::size(lines)];
    const auto whole = Split(mbox);
    for (size_t piece : {size_t{1}, size_t{2}, size_t{5}, size_t{16}, size_t{17}, size_t{33},
                         size_t{100}, mbox.size()}) {
      std::vector<std::string> got;
      MessageCallback keep = [&](std::string_view m) {
        got.emplace_back(m);
        return true;
      };
      MboxSplitter splitter(keep);
      for (size_t at = 0; at < mbox.size(); at += piece) {
        splitter.Feed(std::string_view(mbox).substr(at, piece));
      }
      splitter.Finish();
      EXPECT_EQ(got, whole) << "round " << round << ", piece size " << piece;
    }
  }
}

// parsearchive reads into the splitter's room, asking for more than a read
// may give: room it was given but not Fed() must never count, even when it
// holds what looks like a message (filled with "From " lines here).
TEST(MboxSplitter, RoomReadIntoSplitsLikeSplitMbox) {
  const std::string mbox =
      "\n \njunk\nFrom a@b Mon Jan 1 00:00:00 2000\nSubject: 1\n\nbody\n\n"
      "From c\nB: 2\n\nline\nFrom \n\n\nFrom d\n>From q\nFrom e\nlast line without newline";
  const auto whole = Split(mbox);
  for (size_t piece = 1; piece <= mbox.size(); ++piece) {
    for (size_t room : {piece, piece + 1, piece * 3 + 7}) {
      std::vector<std::string> got;
      MessageCallback keep = [&](std::string_view m) {
        got.emplace_back(m);
        return true;
      };
      MboxSplitter splitter(keep);
      for (size_t at = 0; at < mbox.size(); at += piece) {
        char* into = splitter.Room(room);
        for (size_t i = 0; i < room; ++i) into[i] = "From x\n"[i % 7];
        const size_t n = std::min(piece, mbox.size() - at);
        std::memcpy(into, mbox.data() + at, n);
        splitter.Fed(n);
      }
      splitter.Finish();
      EXPECT_EQ(got, whole) << "piece size " << piece << ", room " << room;
    }
  }
}

TEST(MboxSplitter, StopsWhenCallbackReturnsFalse) {
  int n = 0;
  MessageCallback once = [&](std::string_view) {
    ++n;
    return false;
  };
  MboxSplitter splitter(once);
  EXPECT_FALSE(splitter.Feed("From a\nX: 1\n\nFrom b\nX: 2\n\nFrom c\n"));
  splitter.Finish();
  EXPECT_EQ(n, 1);
}

TEST(ForEachMessage, FileWithoutFromLineIsOneMessage) {
  TempDir d;
  Write(d.path() + "/one", "Subject: x\n\nFrom the body, not a separator\n");
  std::vector<std::string> got;
  ASSERT_TRUE(ForEachMessage(d.path() + "/one", [&](std::string_view m) {
                got.emplace_back(m);
                return true;
              }).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "Subject: x\n\nFrom the body, not a separator\n");
}

TEST(ForEachMessage, MboxFile) {
  TempDir d;
  Write(d.path() + "/box", "\n  \nFrom a\nX: 1\n\nFrom b\nX: 2\n");
  int n = 0;
  ASSERT_TRUE(ForEachMessage(d.path() + "/box", [&](std::string_view) {
                ++n;
                return true;
              }).ok());
  EXPECT_EQ(n, 2);
}

TEST(ForEachMessage, MaildirCurThenNewSortedByName) {
  TempDir d;
  for (const char* sub : {"cur", "new", "tmp"}) std::filesystem::create_directory(d.path() + "/" + sub);
  Write(d.path() + "/new/2", "X: new2\n");
  Write(d.path() + "/new/1", "X: new1\n");
  Write(d.path() + "/cur/b", "X: curb\n");
  Write(d.path() + "/cur/a", "X: cura\n");
  Write(d.path() + "/cur/.hidden", "X: hidden\n");
  Write(d.path() + "/tmp/t", "X: tmp\n");
  std::vector<std::string> got;
  ASSERT_TRUE(ForEachMessage(d.path(), [&](std::string_view m) {
                got.emplace_back(m);
                return true;
              }).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"X: cura\n", "X: curb\n", "X: new1\n", "X: new2\n"}));
}

TEST(ForEachMessage, MissingFileIsAnError) {
  Status s = ForEachMessage("/nonexistent/patchbay/mbox", [](std::string_view) { return true; });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIo);
}

}  // namespace
}  // namespace pb::mail
