#include "db/copy_text.h"

namespace pb::db {

void CopyText::Text(std::string_view value) {
  Separate();
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char* escaped = nullptr;
    switch (value[i]) {
      case '\\': escaped = "\\\\"; break;
      case '\t': escaped = "\\t"; break;
      case '\n': escaped = "\\n"; break;
      case '\r': escaped = "\\r"; break;
      default: continue;
    }
    buf_.append(value, start, i - start);
    buf_ += escaped;
    start = i + 1;
  }
  buf_.append(value, start, std::string_view::npos);
}

}  // namespace pb::db
