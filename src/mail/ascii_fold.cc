#include "mail/ascii_fold.h"

#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mail/plain_header.h"

namespace pb::mail {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// (fws, part) pairs of the line being built, as views into the value or
// into string literals.
struct Piece {
  std::string_view fws, text;
};

// _ValueFormatter with its _Accumulator, for us-ascii parts only (no
// encoded words, so no transitions but the last, and no continuation_ws):
// the same steps in the same order, each line appended to `out` as it is
// finished instead of kept in a list.
class AsciiFormatter {
 public:
  AsciiFormatter(std::string& out, std::vector<Piece>& line, size_t headerlen)
      : out_(out), cur_(line), initial_(headerlen), len_(headerlen) {
    cur_.clear();
  }

  // feed(fws, sline) of one source line: _ascii_split of the whole line
  // (its leading blanks are the fws of its first part): re.split("([ \t]+)"),
  // paired as (fws, part), the first part with no fws when the line does
  // not start with a blank.
  void FeedLine(std::string_view s) {
    size_t at = 0;
    while (at < s.size() && !IsBlank(s[at])) ++at;
    if (at > 0) AppendChunk({}, s.substr(0, at));
    while (at < s.size()) {
      size_t text_at = at;
      while (text_at < s.size() && IsBlank(s[text_at])) ++text_at;
      size_t next = text_at;
      while (next < s.size() && !IsBlank(s[next])) ++next;
      AppendChunk(s.substr(at, text_at - at), s.substr(text_at, next - text_at));
      at = next;
    }
  }

  void Newline() {
    Piece end = Pop();
    if (!(end.fws == " " && end.text.empty())) Push(end.fws, end.text);
    if (len_ > 0) {
      if (IsOnlyWs() && any_line_) {
        AppendPieces(0, cur_.size());  // lines[-1] += str(current line)
      } else {
        StartLine();
        AppendPieces(0, cur_.size());
      }
    }
    cur_.clear();
    initial_ = 0;
    len_ = 0;
  }

  void AddTransition() { Push(" ", ""); }

 private:
  void Push(std::string_view fws, std::string_view text) {
    cur_.push_back({fws, text});
    len_ += fws.size() + text.size();
  }
  Piece Pop() {
    if (cur_.empty()) return {};
    Piece p = cur_.back();
    cur_.pop_back();
    len_ -= p.fws.size() + p.text.size();
    return p;
  }
  // _Accumulator.is_onlyws(): str.isspace() is false for "".
  bool IsOnlyWs() const {
    if (initial_ != 0) return false;
    if (cur_.empty()) return true;
    if (len_ == 0) return false;
    for (const auto& p : cur_) {
      for (char c : p.fws) if (!IsBlank(c)) return false;
      for (char c : p.text) if (!IsBlank(c)) return false;
    }
    return true;
  }
  void StartLine() {
    if (any_line_) out_ += '\n';
    any_line_ = true;
  }
  void AppendPieces(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      out_.append(cur_[i].fws);
      out_.append(cur_[i].text);
    }
  }

  void AppendChunk(std::string_view fws, std::string_view text) {
    Push(fws, text);
    if (len_ <= kMaxHeaderLineLen) return;
    // The best split point, working back from the end: after a ';', then a
    // ',', then before a space, then before a tab.
    size_t found = 0;
    for (char ch : {';', ',', ' ', '\t'}) {
      for (size_t i = cur_.size() - 1; i > 0; --i) {
        if (IsBlank(ch) && !cur_[i].fws.empty() && cur_[i].fws[0] == ch) {
          found = i;
          break;
        }
        std::string_view prev = cur_[i - 1].text;
        if (!prev.empty() && prev.back() == ch) {
          found = i;
          break;
        }
      }
      if (found) break;
    }
    if (!found) {
      Piece p = Pop();
      if (initial_ > 0) {
        // There will be a header, so leave it on a line by itself.
        Newline();
        if (p.fws.empty()) p.fws = " ";
      }
      Push(p.fws, p.text);
      return;
    }
    StartLine();
    AppendPieces(0, found);
    cur_.erase(cur_.begin(), cur_.begin() + static_cast<std::ptrdiff_t>(found));
    initial_ = 0;
    len_ = 0;
    for (const auto& p : cur_) len_ += p.fws.size() + p.text.size();
  }

  std::string& out_;
  std::vector<Piece>& cur_;
  size_t initial_, len_;
  bool any_line_ = false;
};

}  // namespace

bool IsUnencodedAscii(std::string_view v) {
  const size_t n = v.size();
  const char* p = v.data();
  size_t i = 0;
  bool prev_eq = false;  // the byte before i is '='
#if defined(__SSE2__)
  // 16 bytes at a time (the values that get here are long: a Cc list, a
  // Received trace): a mask of bytes outside printable ASCII, tab and line
  // break, and one of "=?" pairs.
  const __m128i below = _mm_set1_epi8(0x1F), above = _mm_set1_epi8(0x7F);
  const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
  const __m128i eq = _mm_set1_epi8('='), q = _mm_set1_epi8('?');
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compares: bytes >= 0x80 are negative, so not above 0x1F.
    __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(x, below), _mm_cmplt_epi8(x, above));
    ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, nl)));
    if (_mm_movemask_epi8(ok) != 0xFFFF) return false;
    unsigned eqs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, eq)));
    unsigned qs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, q)));
    if (((eqs << 1) | (prev_eq ? 1u : 0u)) & qs) return false;
    prev_eq = (eqs >> 15) & 1;
  }
#endif
  for (; i < n; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c >= 0x7F || (c == '?' && prev_eq)) return false;
    prev_eq = c == '=';
  }
  return true;
}

bool EveryBreakStartsABlankLine(std::string_view v) {
  for (size_t i = v.find('\n'); i != std::string_view::npos; i = v.find('\n', i + 1)) {
    if (i + 1 == v.size() || !IsBlank(v[i + 1])) return false;
  }
  return true;
}

bool AppendAsciiFolded(std::string& out, std::string_view v, size_t headerlen) {
  const size_t before = out.size();
  thread_local std::vector<Piece> line;
  AsciiFormatter f(out, line, headerlen);
  // Header.encode(): splitlines() (a last line break ends the last line
  // and starts none), the first line fed as it is, each further one after
  // a newline(), a newline() after them when there were several, then the
  // closing transition and _str()'s newline().
  size_t lines = 0;
  for (size_t start = 0; start < v.size() || (start == 0 && v.empty());) {
    size_t end = v.find('\n', start);
    if (end == std::string_view::npos) end = v.size();
    if (lines++ > 0) f.Newline();
    f.FeedLine(v.substr(start, end - start));
    start = end + 1;
    if (v.empty()) break;
  }
  if (lines > 1) f.Newline();
  f.AddTransition();
  f.Newline();
  if (HasEmbeddedHeader(std::string_view(out).substr(before))) {
    out.resize(before);
    return false;
  }
  return true;
}

bool HasEmbeddedHeader(std::string_view v) {
  for (size_t i = v.find('\n'); i != std::string_view::npos; i = v.find('\n', i + 1)) {
    for (size_t j = i + 1; j < v.size() && v[j] != ' ' && v[j] != '\t'; ++j) {
      if (v[j] == ':' && j > i + 1) return true;
    }
  }
  return false;
}

}  // namespace pb::mail
