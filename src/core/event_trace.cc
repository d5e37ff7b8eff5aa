#include "core/event_trace.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace pb::trace {
namespace {

int TraceFd() {
  static const int fd = [] {
    const char* path = std::getenv("PATCHBAY_EVENT_TRACE");
    if (!path || !*path) return -1;
    return ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  }();
  return fd;
}

}  // namespace

bool On() { return TraceFd() >= 0; }

void Note(std::string_view line) {
  int fd = TraceFd();
  if (fd < 0) return;
  std::string text(line);
  text += '\n';
  // One write: O_APPEND keeps it whole against other processes' notes.
  ssize_t ignored = ::write(fd, text.data(), text.size());
  (void)ignored;
}

int64_t WallNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace pb::trace
