#include "importer/progress.h"

#include <unistd.h>

#include <cstdio>

namespace pb::importer {

using Clock = std::chrono::steady_clock;

Progress::Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::Start(const std::string& label, int64_t total, int64_t already) {
  label_ = label;
  total_ = total;
  done_ = start_done_ = already;
  start_ = last_draw_ = Clock::now();
  if (tty_) Draw(false);
}

void Progress::Advance(int64_t rows) {
  done_ += rows;
  auto now = Clock::now();
  if (tty_ && now - last_draw_ > std::chrono::milliseconds(200)) {
    last_draw_ = now;
    Draw(false);
  }
}

void Progress::Finish() { Draw(true); }

void Progress::Draw(bool final) {
  if (quiet_) return;
  double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  double rate = secs > 0 ? static_cast<double>(done_ - start_done_) / secs : 0;
  char eta[32] = "";
  if (!final && rate > 0 && total_ > done_) {
    auto left = static_cast<int64_t>(static_cast<double>(total_ - done_) / rate);
    std::snprintf(eta, sizeof eta, "  ETA %lld:%02lld", static_cast<long long>(left / 60),
                  static_cast<long long>(left % 60));
  }
  std::fprintf(stderr, "%s%-22s %10lld / %-10lld %9.0f rows/s%s", tty_ ? "\r\033[K" : "",
               label_.c_str(), static_cast<long long>(done_), static_cast<long long>(total_), rate,
               eta);
  if (final) std::fprintf(stderr, "  %.2f s\n", secs);
  std::fflush(stderr);
}

}  // namespace pb::importer
