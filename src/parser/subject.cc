#include "parser/subject.h"

#include <climits>

#include "mail/header.h"
#include "mail/text.h"
#include "parser/parsed_mail.h"

namespace pb::parser {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// int() of a run of ASCII digits, saturating instead of growing a bignum.
int ToInt(std::string_view digits) {
  long long v = 0;
  for (char c : digits) {
    v = v * 10 + (c - '0');
    if (v > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(v);
}

// ^(re|fwd?)[:\s]\s*  (case-insensitive); returns the match length or 0.
size_t ReplyMarkerLength(std::string_view s, bool fwd_too) {
  size_t n = 0;
  if (mail::IStartsWith(s, "re")) {
    n = 2;
  } else if (fwd_too && mail::IStartsWith(s, "fwd")) {
    n = 3;
  } else if (fwd_too && mail::IStartsWith(s, "fw")) {
    n = 2;
  } else {
    return 0;
  }
  if (n >= s.size()) return 0;
  size_t i = n;
  char32_t cp = mail::NextCodePoint(s, i);
  if (cp != ':' && !mail::IsPySpace(cp)) {
    // "fwd" failed: "fw" + "d" is not a separator either.
    return 0;
  }
  while (i < s.size()) {
    size_t j = i;
    if (!mail::IsPySpace(mail::NextCodePoint(s, j))) break;
    i = j;
  }
  return i;
}

}  // namespace

std::vector<std::string> SplitPrefixes(std::string_view prefix) {
  std::vector<std::string> tokens;
  // ^PATCH (\d+ of \d+)(.*)$
  if (prefix.substr(0, 6) == "PATCH ") {
    size_t i = 6, a = i;
    while (i < prefix.size() && IsDigit(prefix[i])) ++i;
    if (i > a && prefix.substr(i, 4) == " of ") {
      size_t b = i + 4, j = b;
      while (j < prefix.size() && IsDigit(prefix[j])) ++j;
      if (j > b && prefix.find('\n', j) == std::string_view::npos) {
        tokens.emplace_back("PATCH");
        tokens.emplace_back(prefix.substr(6, j - 6));
        prefix = prefix.substr(j);
      }
    }
  }
  // re.split(r'[,\s]+'), empty tokens dropped.
  size_t i = 0, start = 0;
  while (i < prefix.size()) {
    size_t at = i;
    char32_t cp = mail::NextCodePoint(prefix, i);
    if (cp == ',' || mail::IsPySpace(cp)) {
      if (at > start) tokens.emplace_back(prefix.substr(start, at - start));
      start = i;
    }
  }
  if (start < prefix.size()) tokens.emplace_back(prefix.substr(start));
  return tokens;
}

CleanedSubjectParts CleanCleanedSubject(std::string_view cleaned,
                                        const std::vector<std::string>& drop_prefixes) {
  std::vector<std::string> drop;
  for (const auto& d : drop_prefixes) drop.push_back(mail::AsciiLowerCopy(d));
  drop.emplace_back("patch");

  std::string subject;
  if (size_t n = ReplyMarkerLength(cleaned, /*fwd_too=*/true)) {
    subject.assign(1, ' ');
    subject.append(cleaned.substr(n));
  } else {
    subject.assign(cleaned);
  }
  subject = mail::NormaliseSpace(subject);

  CleanedSubjectParts out;
  std::string_view rest = subject;
  // ^\[([^\]]*)\]\s*(.*)$ -- '.' stops at newlines, which clean text has none of.
  while (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) break;
    std::string_view inner = rest.substr(1, close - 1);
    for (auto& tok : SplitPrefixes(inner)) {
      // Python lower() is Unicode-aware; prefixes to drop are ASCII, so a
      // token with non-ASCII letters can never equal one of them anyway.
      std::string low = mail::AsciiLowerCopy(tok);
      bool dropped = false;
      for (const auto& d : drop) dropped |= (low == d);
      if (!dropped) out.prefixes.push_back(std::move(tok));
    }
    rest = mail::PyLStrip(rest.substr(close + 1));
  }
  std::string remainder = mail::NormaliseSpace(rest);
  if (!out.prefixes.empty()) {
    out.name.assign(1, '[');
    for (size_t i = 0; i < out.prefixes.size(); ++i) {
      if (i) out.name += ',';
      out.name += out.prefixes[i];
    }
    out.name += "] ";
    out.name += remainder;
  } else {
    out.name = std::move(remainder);
  }
  return out;
}

CleanedSubject CleanSubject(std::string_view subject, const std::vector<std::string>& drop_prefixes) {
  auto cleaned = mail::CleanHeader(subject);
  CleanedSubject out;
  if (!cleaned) return out;
  auto parts = CleanCleanedSubject(*cleaned, drop_prefixes);
  out.name = std::move(parts.name);
  out.prefixes = std::move(parts.prefixes);
  return out;
}

std::optional<std::pair<int, int>> ParseSeriesMarker(const std::vector<std::string>& prefixes) {
  // .*?([0-9]+)(?:/| of )([0-9]+)$
  for (const auto& p : prefixes) {
    for (size_t start = 0; start < p.size(); ++start) {
      if (!IsDigit(p[start])) continue;
      size_t e = start;
      while (e < p.size() && IsDigit(p[e])) ++e;
      size_t b;
      if (p[e] == '/') {
        b = e + 1;
      } else if (p.compare(e, 4, " of ") == 0) {
        b = e + 4;
      } else {
        continue;
      }
      size_t f = b;
      while (f < p.size() && IsDigit(p[f])) ++f;
      // '$' also matches before a final newline.
      bool at_end = f == p.size() || (f + 1 == p.size() && p[f] == '\n');
      if (f > b && at_end) {
        return std::make_pair(ToInt(std::string_view(p).substr(start, e - start)),
                              ToInt(std::string_view(p).substr(b, f - b)));
      }
    }
  }
  return std::nullopt;
}

int ParseVersion(std::string_view name, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    // ^[vV](\d+)$
    if (p.size() >= 2 && (p[0] == 'v' || p[0] == 'V')) {
      size_t i = 1;
      while (i < p.size() && IsDigit(p[i])) ++i;
      if (i == p.size() || (i + 1 == p.size() && p[i] == '\n')) {
        if (i > 1) return ToInt(std::string_view(p).substr(1, i - 1));
      }
    }
  }
  // \([vV](\d+)\)
  for (size_t i = 0; i + 3 < name.size() + 0 && i < name.size(); ++i) {
    if (name[i] != '(' || i + 1 >= name.size() || (name[i + 1] != 'v' && name[i + 1] != 'V')) continue;
    size_t j = i + 2;
    while (j < name.size() && IsDigit(name[j])) ++j;
    if (j > i + 2 && j < name.size() && name[j] == ')') return ToInt(name.substr(i + 2, j - i - 2));
  }
  return 1;
}

bool IsReplySubject(std::string_view cleaned_subject) {
  return ReplyMarkerLength(cleaned_subject, /*fwd_too=*/false) > 0;
}

}  // namespace pb::parser
