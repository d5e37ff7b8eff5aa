#include "mail/mailbox.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <vector>

namespace pb::mail {
namespace {

bool StartsWithFrom(std::string_view s, size_t at) {
  return s.size() - at >= 5 && std::memcmp(s.data() + at, "From ", 5) == 0;
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

Status ForEachMessage(const std::string& path, const MessageCallback& callback) {
  if (path == "-") {
    std::string data(std::istreambuf_iterator<char>(std::cin), {});
    DeliverFile(data, callback);
    return Status::Ok();
  }
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
  FileBytes f;
  Status s = f.Open(path);
  if (!s.ok()) return s;
  DeliverFile(f.view(), callback);
  return Status::Ok();
}

}  // namespace pb::mail
