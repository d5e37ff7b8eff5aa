#include "parser/content.h"

#include <cstring>

#include "mail/codec.h"
#include "mail/message.h"
#include "mail/text.h"

namespace pb::parser {
namespace {

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

bool IsExtendedHeader(std::string_view line) {
  static constexpr std::string_view kExt[] = {
      "old mode ",        "new mode ",        "deleted file mode ",  "new file mode ",
      "copy from ",       "copy to ",         "rename from ",        "rename to ",
      "similarity index ", "dissimilarity index ", "index ",
  };
  for (auto p : kExt) {
    if (StartsWith(line, p)) return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// _hunk_re = ^\@\@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? \@\@ ; counts default to 1.
bool MatchHunk(std::string_view l, long& old_count, long& new_count) {
  if (!StartsWith(l, "@@ -")) return false;
  size_t i = 4;
  auto digits = [&](size_t& k) {
    size_t s = k;
    while (k < l.size() && IsDigit(l[k])) ++k;
    return k > s;
  };
  auto number = [&](size_t from, size_t to) {
    long v = 0;
    for (size_t k = from; k < to; ++k) {
      v = v * 10 + (l[k] - '0');
      if (v > 1000000000L) v = 1000000000L;
    }
    return v;
  };
  if (!digits(i)) return false;
  old_count = 1;
  if (i < l.size() && l[i] == ',') {
    size_t s = ++i;
    if (!digits(i)) return false;
    old_count = number(s, i);
  }
  if (l.compare(i, 2, " +") != 0) return false;
  i += 2;
  if (!digits(i)) return false;
  new_count = 1;
  if (i < l.size() && l[i] == ',') {
    size_t s = ++i;
    if (!digits(i)) return false;
    new_count = number(s, i);
  }
  return l.compare(i, 3, " @@") == 0;
}

}  // namespace

PatchSplit ParsePatch(std::string_view content) {
  std::string patch, comment, buf;
  int state = 0;
  long lc_old = 0, lc_new = 0;
  int hunks = 0;
  size_t pos = 0;
  std::string line;
  while (true) {
    size_t nl = content.find('\n', pos);
    bool last = nl == std::string_view::npos;
    line.assign(content.substr(pos, last ? std::string_view::npos : nl - pos));
    line += '\n';
    switch (state) {
      case 0:
        if (StartsWith(line, "diff ") || StartsWith(line, "Index: ")) {
          state = 1;
          buf += line;
        } else if (StartsWith(line, "--- ")) {
          state = 2;
          buf += line;
        } else {
          comment += line;
        }
        break;
      case 1:
        buf += line;
        if (StartsWith(line, "--- ")) state = 2;
        if (IsExtendedHeader(line)) state = 6;
        break;
      case 2:
        if (StartsWith(line, "+++ ")) {
          state = 3;
          buf += line;
        } else if (hunks) {
          state = 1;
          buf += line;
        } else {
          state = 0;
          comment += buf;
          comment += line;
          buf.clear();
        }
        break;
      case 3: {
        long o, n;
        if (MatchHunk(line, o, n)) {
          lc_old = o;
          lc_new = n;
          state = 4;
          patch += buf;
          patch += line;
          buf.clear();
        } else if (StartsWith(line, "--- ")) {
          patch += buf;
          patch += line;
          buf.clear();
          state = 2;
        } else if (hunks && StartsWith(line, "\\ No newline at end of file")) {
          patch += line;
        } else if (hunks) {
          state = 1;
          buf += line;
        } else {
          state = 0;
          comment += buf;
          comment += line;
          buf.clear();
        }
        break;
      }
      case 4:
      case 5:
        if (StartsWith(line, "-")) {
          --lc_old;
        } else if (StartsWith(line, "+")) {
          --lc_new;
        } else if (StartsWith(line, "\\ No newline at end of file")) {
        } else {
          --lc_old;
          --lc_new;
        }
        patch += line;
        if (lc_old <= 0 && lc_new <= 0) {
          state = 3;
          ++hunks;
        } else {
          state = 5;
        }
        break;
      case 6:
        if (IsExtendedHeader(line)) {
          patch += buf;
          patch += line;
          buf.clear();
        } else if (StartsWith(line, "--- ")) {
          patch += buf;
          patch += line;
          buf.clear();
          state = 2;
        } else if (StartsWith(line, "GIT binary patch")) {
          patch += buf;
          patch += line;
          buf.clear();
          state = 7;
        } else {
          buf += line;
          state = 1;
        }
        break;
      case 7:
        if (StartsWith(line, "diff")) {
          buf += line;
          state = 0;
        } else {
          patch += buf;
          patch += line;
          buf.clear();
        }
        break;
    }
    if (last) break;
    pos = nl + 1;
  }
  comment += buf;
  PatchSplit out;
  if (!patch.empty()) out.diff = std::move(patch);
  if (!comment.empty()) out.comment = std::move(comment);
  return out;
}

std::string CleanContent(std::string_view content) {
  // re.sub(r'^(-- |_+)\n.*', '', content, flags=S|M): cut at the first such line.
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) break;
    std::string_view line = content.substr(pos, nl - pos);
    bool sig = line == "-- ";
    if (!sig && !line.empty()) {
      sig = line.find_first_not_of('_') == std::string_view::npos;
    }
    if (sig) {
      content = content.substr(0, pos);
      break;
    }
    pos = nl + 1;
  }
  return std::string(mail::PyStrip(content));
}

namespace {

bool IsUrlHead(char32_t cp) { return mail::IsPyWord(cp) || cp == '+' || cp == '-'; }
bool IsUrlBody(char32_t cp) {
  return mail::IsPyWord(cp) || cp == '/' || cp == '.' || cp == '@' || cp == ':' || cp == '~' ||
         cp == '-';
}
bool IsUrlTail(char32_t cp) {
  return mail::IsPyWord(cp) || cp == '/' || cp == '.' || cp == '_' || cp == '-';
}

// Advances over code points satisfying pred; returns the end offset.
template <typename Pred>
size_t Span(std::string_view s, size_t i, Pred pred) {
  while (i < s.size()) {
    size_t j = i;
    if (!pred(mail::NextCodePoint(s, j))) break;
    i = j;
  }
  return i;
}

size_t SpanSpace(std::string_view s, size_t i) {
  return Span(s, i, [](char32_t c) { return mail::IsPySpace(c); });
}

// The group of the pull-request regex starting at `d`, or nullopt.
std::optional<std::string_view> MatchPullUrl(std::string_view s, size_t d) {
  size_t e1 = Span(s, d, IsUrlHead);
  if (e1 == d) return std::nullopt;
  size_t f;
  if (s.compare(e1, 3, "://") == 0) {
    f = e1 + 3;
  } else if (e1 < s.size() && s[e1] == '@') {
    f = e1 + 1;
  } else {
    return std::nullopt;
  }
  size_t e2 = Span(s, f, IsUrlBody);
  if (e2 == f) return std::nullopt;
  size_t r3 = Span(s, e2, [](char32_t c) { return c == '\\' || mail::IsPySpace(c); });
  // Greedy [\s\\]* backtracks one code point at a time (all ASCII or \s).
  for (size_t k = r3;; ) {
    size_t g = Span(s, k, IsUrlTail);
    // \s*$ : the blank run from g must contain a '\n' or reach the end.
    size_t w = g;
    bool ok = w == s.size();
    while (!ok && w < s.size()) {
      size_t j = w;
      char32_t cp = mail::NextCodePoint(s, j);
      if (cp == '\n') {
        ok = true;
        break;
      }
      if (!mail::IsPySpace(cp)) break;
      w = j;
      if (w == s.size()) ok = true;
    }
    if (ok) return s.substr(d, g - d);
    if (k == e2) break;
    // step back one code point
    size_t back = k - 1;
    while (back > e2 && (static_cast<unsigned char>(s[back]) & 0xC0) == 0x80) --back;
    k = back;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ParsePullRequest(std::string_view s) {
  static constexpr std::string_view kHead = "the following changes since commit";
  static constexpr std::string_view kAvail = "are available in the git repository at:";
  std::vector<size_t> line_starts;  // lazily: only when the head phrase exists
  for (size_t a = 0; a < s.size();) {
    if (mail::IStartsWith(s.substr(a), kHead)) {
      if (line_starts.empty()) {
        line_starts.push_back(0);
        for (size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '\n') line_starts.push_back(i + 1);
        }
      }
      // '.*' is greedy: try the last "are available" line first.
      for (auto it = line_starts.rbegin(); it != line_starts.rend(); ++it) {
        size_t b = *it;
        if (b < a + kHead.size()) break;
        if (!mail::IStartsWith(s.substr(b), kAvail)) continue;
        size_t c = b + kAvail.size();
        // \s*\n^\s* : the blank run after the colon must hold a newline.
        size_t dpos = SpanSpace(s, c);
        if (s.substr(c, dpos - c).find('\n') == std::string_view::npos) continue;
        if (auto g = MatchPullUrl(s, dpos)) {
          return mail::NormaliseSpace(*g);
        }
      }
    }
    size_t nl = s.find('\n', a);
    if (nl == std::string_view::npos) break;
    a = nl + 1;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> FindTextParts(const mail::Message& msg) {
  std::vector<std::pair<std::string, std::string>> out;
  msg.Walk([&](const mail::Message& part) {
    std::string ctype = part.ContentType();
    size_t slash = ctype.find('/');
    if (ctype.compare(0, slash, "text") != 0 || slash != 4) return;
    std::string subtype = ctype.substr(slash + 1);
    std::string payload = part.DecodedPayload();
    auto charset = part.ContentCharset();
    std::optional<std::string> codec;
    if (charset) codec = mail::LookupCodec(*charset);
    std::optional<std::string> text;
    if (codec) {
      text = mail::DecodeOwnBytes(std::move(payload), *codec);
    } else {
      if (mail::IsValidUtf8(payload)) {
        text = std::move(payload);
      } else if (auto t = mail::DecodeBytes(payload, "cp1252")) {
        text = std::move(t);
      } else {
        text = mail::Latin1ToUtf8(payload);
      }
    }
    if (!text) return;
    out.emplace_back(std::move(*text), std::move(subtype));
  });
  return out;
}

Content FindPatchContent(const mail::Message& msg) {
  Content out;
  std::string comment;
  for (auto& [text, subtype] : FindTextParts(msg)) {
    if (subtype == "x-patch" || subtype == "x-diff") {
      out.diff = std::move(text);
    } else if (subtype == "plain") {
      std::optional<std::string> c;
      if (!out.diff || out.diff->empty()) {
        PatchSplit split = ParsePatch(text);
        out.diff = std::move(split.diff);
        c = std::move(split.comment);
      } else {
        c = std::move(text);
      }
      if (c) {
        comment += mail::PyStrip(*c);
        comment += '\n';
      }
    }
  }
  out.message = CleanContent(comment);
  return out;
}

Content FindCommentContent(const mail::Message& msg) {
  Content out;
  std::string comment;
  for (auto& [text, subtype] : FindTextParts(msg)) {
    if (text.empty() || subtype != "plain") continue;
    comment += mail::PyStrip(text);
    comment += '\n';
  }
  out.message = CleanContent(comment);
  return out;
}

}  // namespace pb::parser
