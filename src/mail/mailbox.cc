#include "mail/mailbox.h"

#include <emmintrin.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace pb::mail {
namespace {

bool StartsWithFrom(std::string_view s, size_t at) {
  return s.size() - at >= 5 && std::memcmp(s.data() + at, "From ", 5) == 0;
}

// memmem(p, n, "\nFrom ", 6), 16 bytes at a time: a newline directly followed
// by 'F' is rare, and only then are the other four bytes compared. glibc's
// memmem took ~2.3 instructions per byte of the archive.
const char* FindNewlineFrom(const char* p, size_t n) {
  const __m128i newline = _mm_set1_epi8('\n'), f = _mm_set1_epi8('F');
  size_t i = 0;
  for (; i + 17 <= n; i += 16) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    auto hits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, newline), _mm_cmpeq_epi8(b, f))));
    for (; hits; hits &= hits - 1) {
      size_t at = i + static_cast<size_t>(__builtin_ctz(hits));
      if (n - at >= 6 && std::memcmp(p + at + 1, "From ", 5) == 0) return p + at;
    }
  }
  for (; i + 6 <= n; ++i) {
    if (p[i] == '\n' && std::memcmp(p + i + 1, "From ", 5) == 0) return p + i;
  }
  return nullptr;
}

// The whole file, mapped read-only (or read, for pipes and empty files).
class FileBytes {
 public:
  ~FileBytes() {
    if (map_) munmap(map_, size_);
  }
  Status Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::Io(path + ": " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* m = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m != MAP_FAILED) {
        map_ = m;
        madvise(map_, size_, MADV_SEQUENTIAL);
        ::close(fd);
        return Status::Ok();
      }
      size_ = 0;
    }
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status s = Status::Io(path + ": " + std::strerror(errno));
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      data_.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return Status::Ok();
  }
  std::string_view view() const {
    if (map_) return {static_cast<const char*>(map_), size_};
    return data_;
  }

 private:
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string data_;
};

void DeliverFile(std::string_view data, const MessageCallback& callback) {
  // Blank lines before the first "From " line are skipped (as mailbox.mbox
  // skips anything there); otherwise no leading "From " means one message.
  size_t first = 0;
  while (first < data.size()) {
    size_t nl = data.find('\n', first);
    if (nl == std::string_view::npos) break;
    std::string_view line = data.substr(first, nl - first);
    if (line.find_first_not_of(" \t\r\f\v") != std::string_view::npos) break;
    first = nl + 1;
  }
  // An empty (or blank) file holds no message, not one empty message.
  if (data.substr(first).find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) return;
  if (StartsWithFrom(data, first)) {
    SplitMbox(data, callback);
  } else {
    callback(data);
  }
}

}  // namespace

void SplitMbox(std::string_view mbox, const MessageCallback& callback) {
  // mailbox.mbox._generate_toc: a message runs from the line after its
  // "From " line to the next "From " line, minus one blank line before it.
  size_t pos = 0;
  bool in_message = false;
  size_t start = 0;
  bool last_was_empty = false;
  size_t last_line_pos = 0;
  while (pos < mbox.size()) {
    size_t line_pos = pos;
    const void* nl = std::memchr(mbox.data() + pos, '\n', mbox.size() - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - mbox.data()) + 1 : mbox.size();
    pos = end;
    if (StartsWithFrom(mbox, line_pos)) {
      if (in_message) {
        size_t stop = last_was_empty ? last_line_pos : line_pos;
        if (!callback(mbox.substr(start, stop - start))) return;
      }
      in_message = true;
      start = end;  // skip the "From " line itself
      last_was_empty = false;
    } else {
      last_was_empty = (end - line_pos == 1 && mbox[line_pos] == '\n');
    }
    last_line_pos = line_pos;
  }
  if (in_message) {
    size_t stop = last_was_empty ? last_line_pos : mbox.size();
    if (stop < start) stop = start;
    callback(mbox.substr(start, stop - start));
  }
}

bool MboxSplitter::Feed(std::string_view bytes) {
  if (stopped_) return false;
  char* room = Room(bytes.size());
  if (!bytes.empty()) std::memcpy(room, bytes.data(), bytes.size());
  return Fed(bytes.size());
}

char* MboxSplitter::Room(size_t n) {
  // Drop what no message will need again before adding.
  size_t drop = in_message_ ? start_ : pos_;
  if (drop > 0) {
    std::memmove(buf_.data(), buf_.data() + drop, held_ - drop);
    held_ -= drop;
    pos_ -= drop;
    if (in_message_) start_ -= drop;
    last_line_pos_ -= std::min(drop, last_line_pos_);
  }
  // Grown (and zeroed) only when what is held and the room outgrow it.
  if (buf_.size() < held_ + n) buf_.resize(held_ + n);
  return buf_.data() + held_;
}

bool MboxSplitter::Fed(size_t n) {
  if (stopped_) return false;
  held_ += n;
  const char* d = buf_.data();
  const size_t size = held_;
  const std::string_view held(d, size);
  while (!stopped_ && pos_ < size) {
    if (!StartsWithFrom(held, pos_)) {
      // Lines that start no message only leave their last one's place and
      // blankness behind: jump over all of them up to the next "From "
      // line, one scan instead of a memchr and a test per line (about 600
      // lines per mail). Those complete lines end at `last`, the newline
      // before that "From " line, or the last newline there is.
      const void* from = FindNewlineFrom(d + pos_, size - pos_);
      const void* nl = from ? from : memrchr(d + pos_, '\n', size - pos_);
      if (!nl) break;  // an incomplete line waits for the next piece
      size_t last = static_cast<size_t>(static_cast<const char*>(nl) - d);
      const void* before = memrchr(d + pos_, '\n', last - pos_);
      size_t line_pos = before ? static_cast<size_t>(static_cast<const char*>(before) - d) + 1 : pos_;
      last_was_empty_ = line_pos == last;  // the line is just "\n"
      last_line_pos_ = line_pos;
      pos_ = last + 1;
      continue;
    }
    const void* nl = std::memchr(d + pos_, '\n', size - pos_);
    if (!nl) break;  // an incomplete line waits for the next piece
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - d) + 1;
    size_t line_pos = pos_;
    pos_ = end;
    Line(line_pos, end);
  }
  return !stopped_;
}

// One line of SplitMbox's loop, with the same state.
void MboxSplitter::Line(size_t line_pos, size_t end) {
  std::string_view mbox(buf_.data(), held_);
  if (StartsWithFrom(mbox, line_pos)) {
    if (in_message_) {
      size_t stop = last_was_empty_ ? last_line_pos_ : line_pos;
      if (!callback_(mbox.substr(start_, stop - start_))) {
        stopped_ = true;
        return;
      }
    }
    in_message_ = true;
    start_ = end;
    last_was_empty_ = false;
  } else {
    last_was_empty_ = (end - line_pos == 1 && mbox[line_pos] == '\n');
  }
  last_line_pos_ = line_pos;
}

void MboxSplitter::Finish() {
  if (stopped_) return;
  if (pos_ < held_) {  // a last line without a newline
    size_t line_pos = pos_;
    pos_ = held_;
    Line(line_pos, held_);
    if (stopped_) return;
  }
  if (in_message_) {
    size_t stop = last_was_empty_ ? last_line_pos_ : held_;
    if (stop < start_) stop = start_;
    callback_(std::string_view(buf_.data(), held_).substr(start_, stop - start_));
  }
  in_message_ = false;
  stopped_ = true;
}

namespace {

// Reads an mbox from `fd` a piece at a time (pipes and files alike). What
// DeliverFile decides from the first non-blank line is decided the same way
// once that line has arrived; a file that is not an mbox is one message and
// is read whole (it is one mail).
Status StreamFile(int fd, const std::string& name, const MessageCallback& callback) {
  constexpr size_t kPiece = size_t{1} << 20;
  // Only for the start (and a file that is no mbox): an mbox's pieces are
  // read into the splitter, so a 1 MB buffer here was 256 pages zeroed and
  // faulted in for nothing.
  constexpr size_t kHeadPiece = size_t{64} << 10;
  std::string head;
  std::string piece(kHeadPiece, '\0');
  bool eof = false;
  auto read_piece = [&](std::string& into) -> Status {
    while (true) {
      ssize_t n = ::read(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Io(name + ": " + std::strerror(errno));
      if (n == 0) eof = true;
      into.append(piece.data(), static_cast<size_t>(n));
      return Status::Ok();
    }
  };
  // Enough of the start to see the first non-blank line whole.
  while (!eof) {
    size_t first = head.find_first_not_of(" \t\r\n\f\v");
    if (first != std::string::npos && head.find('\n', first) != std::string::npos) break;
    if (Status s = read_piece(head); !s.ok()) return s;
  }
  size_t first = 0;
  while (first < head.size()) {
    size_t nl = head.find('\n', first);
    if (nl == std::string::npos) break;
    std::string_view line = std::string_view(head).substr(first, nl - first);
    if (line.find_first_not_of(" \t\r\f\v") != std::string_view::npos) break;
    first = nl + 1;
  }
  if (!StartsWithFrom(head, first)) {
    while (!eof) {
      if (Status s = read_piece(head); !s.ok()) return s;
    }
    DeliverFile(head, callback);
    return Status::Ok();
  }
  MboxSplitter splitter(callback);
  if (!splitter.Feed(head)) return Status::Ok();
  head.clear();
  head.shrink_to_fit();
  // Each piece is read into the splitter's own buffer, after what it still
  // holds (a read buffer in between was one more copy of the whole archive).
  while (!eof) {
    ssize_t n = ::read(fd, splitter.Room(kPiece), kPiece);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Io(name + ": " + std::strerror(errno));
    if (n == 0) break;
    if (!splitter.Fed(static_cast<size_t>(n))) return Status::Ok();
  }
  splitter.Finish();
  return Status::Ok();
}

}  // namespace

Status ForEachMessage(const std::string& path, const MessageCallback& callback) {
  if (path == "-") return StreamFile(STDIN_FILENO, "stdin", callback);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // Maildir: cur/ then new/ (Python's order), each sorted by file name.
    for (const char* sub : {"cur", "new"}) {
      std::filesystem::path dir = std::filesystem::path(path) / sub;
      if (!std::filesystem::is_directory(dir, ec)) continue;
      std::vector<std::string> names;
      for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        std::string n = e.path().filename().string();
        if (!n.empty() && n[0] != '.' && e.is_regular_file(ec)) names.push_back(n);
      }
      if (ec) return Status::Io(dir.string() + ": " + ec.message());
      std::sort(names.begin(), names.end());
      for (const auto& n : names) {
        FileBytes f;
        Status s = f.Open((dir / n).string());
        if (!s.ok()) return s;
        if (!callback(f.view())) return Status::Ok();
      }
    }
    return Status::Ok();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(path + ": " + std::strerror(errno));
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Status s = StreamFile(fd, path, callback);
  ::close(fd);
  return s;
}

}  // namespace pb::mail
