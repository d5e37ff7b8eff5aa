#include "mail/header_fold.h"

#include <utility>
#include <vector>

namespace pb::mail {
namespace {

// A line being built: (folding whitespace, word) pairs plus, on the first
// line, the width of "Name: " (email.header._Accumulator).
class Accumulator {
 public:
  explicit Accumulator(size_t initial) : initial_(initial) {}
  void Push(std::string fws, std::string part) { parts_.emplace_back(std::move(fws), std::move(part)); }
  std::pair<std::string, std::string> Pop() {
    if (parts_.empty()) return {"", ""};
    auto last = std::move(parts_.back());
    parts_.pop_back();
    return last;
  }
  std::vector<std::pair<std::string, std::string>> PopFrom(size_t i) {
    std::vector<std::pair<std::string, std::string>> out(parts_.begin() + static_cast<long>(i), parts_.end());
    parts_.resize(i);
    return out;
  }
  size_t Length() const {
    size_t n = initial_;
    for (const auto& [f, p] : parts_) n += f.size() + p.size();
    return n;
  }
  std::string Str() const {
    std::string s;
    for (const auto& [f, p] : parts_) s += f + p;
    return s;
  }
  void Reset(std::vector<std::pair<std::string, std::string>> parts = {}) {
    parts_ = std::move(parts);
    initial_ = 0;
  }
  bool IsOnlyWhitespace() const {
    if (initial_ != 0) return false;
    std::string s = Str();
    if (s.empty()) return true;
    for (char ch : s) {
      if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f' ||
            (ch >= 0x1c && ch <= 0x1f))) {
        return false;
      }
    }
    return true;
  }
  size_t PartCount() const { return parts_.size(); }
  const std::pair<std::string, std::string>& operator[](size_t i) const { return parts_[i]; }
  size_t initial() const { return initial_; }

 private:
  size_t initial_;
  std::vector<std::pair<std::string, std::string>> parts_;
};

// email.header._ValueFormatter, us-ascii chunks only.
class Formatter {
 public:
  Formatter(size_t header_len, size_t max_len) : max_len_(max_len), line_(header_len) {}

  void Newline() {
    auto end = line_.Pop();
    if (!(end.first == " " && end.second.empty())) line_.Push(std::move(end.first), std::move(end.second));
    if (line_.Length() > 0) {
      if (line_.IsOnlyWhitespace() && !lines_.empty()) {
        lines_.back() += line_.Str();
      } else {
        lines_.push_back(line_.Str());
      }
    }
    line_.Reset();
  }

  void AddTransition() { line_.Push(" ", ""); }

  // re.split("([ \t]+)", fws + string), then pairs of (fws, part).
  void Feed(const std::string& fws, const std::string& string) {
    std::string s = fws + string;
    std::vector<std::string> parts;
    size_t i = 0;
    std::string cur;
    while (i < s.size()) {
      if (s[i] == ' ' || s[i] == '\t') {
        parts.push_back(cur);
        cur.clear();
        size_t j = i;
        while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
        parts.push_back(s.substr(i, j - i));
        i = j;
      } else {
        cur += s[i++];
      }
    }
    parts.push_back(cur);
    if (!parts[0].empty()) {
      parts.insert(parts.begin(), "");
    } else {
      parts.erase(parts.begin());
    }
    for (size_t k = 0; k + 1 < parts.size(); k += 2) AppendChunk(parts[k], parts[k + 1]);
  }

  std::string Str() {
    Newline();
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (i) out += '\n';
      out += lines_[i];
    }
    return out;
  }

 private:
  void AppendChunk(const std::string& fws, const std::string& part) {
    line_.Push(fws, part);
    if (line_.Length() <= max_len_) return;
    static const char kSplitChars[] = {';', ',', ' ', '\t'};
    for (char ch : kSplitChars) {
      for (size_t i = line_.PartCount() - 1; i >= 1; --i) {
        if (ch == ' ' || ch == '\t') {
          const std::string& f = line_[i].first;
          if (!f.empty() && f[0] == ch) return SplitAt(i);
        }
        const std::string& prev = line_[i - 1].second;
        if (!prev.empty() && prev.back() == ch) return SplitAt(i);
      }
    }
    auto last = line_.Pop();
    if (line_.initial() > 0) {
      // Leave the header name on a line by itself.
      Newline();
      if (last.first.empty()) last.first = " ";
    }
    line_.Push(std::move(last.first), std::move(last.second));
  }

  void SplitAt(size_t i) {
    auto remainder = line_.PopFrom(i);
    lines_.push_back(line_.Str());
    line_.Reset(std::move(remainder));
  }

  size_t max_len_;
  Accumulator line_;
  std::vector<std::string> lines_;
};

// str.splitlines() for ASCII text.
std::vector<std::string> SplitLines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0, i = 0;
  while (i < s.size()) {
    char ch = s[i];
    if (ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f' || ch == '\x1c' || ch == '\x1d' ||
        ch == '\x1e') {
      lines.emplace_back(s.substr(start, i - start));
      if (ch == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = ++i;
    } else {
      ++i;
    }
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

}  // namespace

std::string FoldAsciiHeader(std::string_view name, std::string_view value, size_t max_line_len) {
  Formatter f(name.size() + 2, max_line_len == 0 ? 1000000 : max_line_len);
  auto lines = SplitLines(value);
  f.Feed("", lines.empty() ? "" : lines[0]);
  for (size_t i = 1; i < lines.size(); ++i) {
    f.Newline();
    const std::string& line = lines[i];
    size_t ws = 0;
    while (ws < line.size() && (line[ws] == ' ' || line[ws] == '\t' || line[ws] == '\n' ||
                                line[ws] == '\r' || line[ws] == '\v' || line[ws] == '\f')) {
      ++ws;
    }
    f.Feed(line.substr(0, ws), line.substr(ws));
  }
  if (lines.size() > 1) f.Newline();
  f.AddTransition();
  return f.Str();
}

}  // namespace pb::mail
