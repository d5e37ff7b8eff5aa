#include "cli/stdin_line.h"

#include <cstdio>
#include <cstdlib>

namespace pb::cli {

bool ReadStdinLine(std::string& line) {
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n = getline(&buf, &cap, stdin);
  if (n < 0) {
    std::free(buf);
    return false;
  }
  if (n > 0 && buf[n - 1] == '\n') --n;
  line.assign(buf, static_cast<size_t>(n));
  std::free(buf);
  return true;
}

}  // namespace pb::cli
