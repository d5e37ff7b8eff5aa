// Rows in PostgreSQL's COPY text format (tab-separated, \N for NULL,
// backslash escapes), for Connection::CopyIn: a bulk load sends a batch of
// rows as one stream instead of one INSERT round trip per row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pb::db {

class CopyText {
 public:
  void Null() { Separate(); buf_ += "\\N"; }
  void Int(int64_t value) { Separate(); buf_ += std::to_string(value); }
  void Text(std::string_view value);
  void EndRow() {
    buf_ += '\n';
    at_row_start_ = true;
    ++rows_;
  }
  std::string_view data() const { return buf_; }
  size_t rows() const { return rows_; }
  void Clear() {
    buf_.clear();
    rows_ = 0;
    at_row_start_ = true;
  }

 private:
  void Separate() {
    if (!at_row_start_) buf_ += '\t';
    at_row_start_ = false;
  }
  std::string buf_;
  size_t rows_ = 0;
  bool at_row_start_ = true;
};

}  // namespace pb::db
