// The import's report on stderr: on a terminal, one line per table redrawn
// in place (rows done/total, rate, ETA); otherwise one line per finished table.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pb::importer {

class Progress {
 public:
  explicit Progress(bool quiet);
  void Start(const std::string& label, int64_t total, int64_t already);
  void Advance(int64_t rows);  // rows copied since the last call
  void Finish();

 private:
  void Draw(bool final);

  bool quiet_;
  bool tty_;
  std::string label_;
  int64_t total_ = 0, done_ = 0, start_done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace pb::importer
