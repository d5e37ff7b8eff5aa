// Spec §2.13: split_from_header, the address check, DMARC un-munging.
#include <optional>

#include "mail/header.h"
#include "mail/text.h"
#include "parser/parsed_mail.h"

namespace pb::parser {
namespace {

bool IsSpaceAt(std::string_view s, size_t i, size_t* next = nullptr) {
  if (i >= s.size()) return false;
  size_t j = i;
  bool sp = mail::IsPySpace(mail::NextCodePoint(s, j));
  if (next) *next = j;
  return sp;
}

size_t SkipSpace(std::string_view s, size_t i) {
  size_t j;
  while (IsSpaceAt(s, i, &j)) i = j;
  return i;
}

// [^X]+X at i: returns the end of the run (position of X), or npos.
size_t RunUntil(std::string_view s, size_t i, char x) {
  if (i >= s.size() || s[i] == x) return std::string_view::npos;
  size_t e = s.find(x, i);
  return e;
}

struct NameEmail {
  std::optional<std::string> name;
  std::string email;
};

NameEmail SplitFrom(std::string_view s) {
  // 1. "?(.*?)"?\s*<([^>]+)>
  {
    size_t start = (!s.empty() && s[0] == '"') ? 1 : 0;
    for (size_t p = start; p <= s.size(); ++p) {
      if (p > start && (static_cast<unsigned char>(s[p - 1]) & 0xC0) == 0x80 && p < s.size() &&
          (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) {
        continue;  // not a code point boundary
      }
      if (p < s.size() && s[p] == '\n') break;  // '.' stops at newlines
      size_t q = p;
      if (q < s.size() && s[q] == '"') ++q;
      q = SkipSpace(s, q);
      if (q < s.size() && s[q] == '<') {
        size_t e = RunUntil(s, q + 1, '>');
        if (e != std::string_view::npos) {
          return {std::string(s.substr(start, p - start)), std::string(s.substr(q + 1, e - q - 1))};
        }
      }
    }
  }
  // 2. (.*?)\sat\s(.*?)\s*\(([^\)]+)\)
  {
    for (size_t i = 0; i < s.size() && s[i] != '\n'; ) {
      size_t after;
      if (IsSpaceAt(s, i, &after) && s.compare(after, 2, "at") == 0) {
        size_t a2 = after + 2, g2;
        if (IsSpaceAt(s, a2, &g2)) {
          for (size_t j = g2; j <= s.size(); ++j) {
            if (j > g2 && j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) continue;
            size_t k = SkipSpace(s, j);
            if (k < s.size() && s[k] == '(') {
              size_t e = RunUntil(s, k + 1, ')');
              if (e != std::string_view::npos) {
                std::string email(s.substr(0, i));
                email += '@';
                email += s.substr(g2, j - g2);
                return {std::string(s.substr(k + 1, e - k - 1)), email};
              }
            }
            if (j < s.size() && s[j] == '\n') break;
          }
        }
      }
      size_t n = i;
      mail::NextCodePoint(s, n);
      i = n;
    }
  }
  // 3. "?(.*?)"?\s*\(([^\)]+)\)
  {
    size_t start = (!s.empty() && s[0] == '"') ? 1 : 0;
    for (size_t p = start; p <= s.size(); ++p) {
      if (p > start && p < s.size() && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) continue;
      if (p < s.size() && s[p] == '\n') break;
      size_t q = p;
      if (q < s.size() && s[q] == '"') ++q;
      q = SkipSpace(s, q);
      if (q < s.size() && s[q] == '(') {
        size_t e = RunUntil(s, q + 1, ')');
        if (e != std::string_view::npos) {
          return {std::string(s.substr(q + 1, e - q - 1)), std::string(s.substr(start, p - start))};
        }
      }
    }
  }
  // 4. (.*)
  return {std::nullopt, std::string(s.substr(0, s.find('\n')))};
}

bool IsLocalChar(char32_t c) {
  if (mail::IsPyWord(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '"': case '*': case '+': case '/':
    case '=': case '?': case '^': case '`': case '{': case '|': case '}': case '~': case '-':
      return true;
    default:
      return false;
  }
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The address regex of split_from_header (re.match, '$' allows a final '\n').
bool ValidEmail(std::string_view e) {
  if (!e.empty() && e.back() == '\n') e.remove_suffix(1);
  size_t at = e.find('@');
  if (at == std::string_view::npos) return false;
  std::string_view local = e.substr(0, at), domain = e.substr(at + 1);
  // local: runs of local chars separated by single dots.
  if (local.empty()) return false;
  size_t i = 0;
  bool need_char = true;
  while (i < local.size()) {
    if (local[i] == '.') {
      if (need_char) return false;
      need_char = true;
      ++i;
      continue;
    }
    size_t j = i;
    if (!IsLocalChar(mail::NextCodePoint(local, j))) return false;
    need_char = false;
    i = j;
  }
  if (need_char) return false;
  // domain: two or more labels of [a-zA-Z0-9-], no hyphen at either end.
  size_t labels = 0, start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !IsAlnum(label.front()) || !IsAlnum(label.back())) return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

// split_from_header(): email is nullopt when it fails validation.
struct Split {
  std::optional<std::string> name;
  std::optional<std::string> email;
};

Split SplitFromHeader(std::string_view from) {
  NameEmail ne = SplitFrom(from);
  Split s;
  s.name = std::move(ne.name);
  if (ValidEmail(ne.email)) s.email = std::move(ne.email);
  return s;
}

// [:255] on a Python str: code points, not bytes.
std::string Truncate255(std::string_view s) {
  size_t n = 0, i = 0;
  while (i < s.size() && n < 255) {
    mail::NextCodePoint(s, i);
    ++n;
  }
  return std::string(s.substr(0, i));
}

std::string StripQuotes(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == '\'') ++b;
  while (e > b && s[e - 1] == '\'') --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

Result<Author> ParseAuthor(const ParsedMail& mail, std::string_view list_email) {
  if (mail.from.empty()) return Status::Invalid("Invalid 'From' header");
  Split s = SplitFromHeader(mail.from);
  if (!s.email) return Status::Invalid("Invalid 'From' header");
  std::string email = Truncate255(mail::PyStrip(*s.email));
  std::optional<std::string> name;
  if (s.name) name = Truncate255(mail::PyStrip(*s.name));

  // Python lower() is Unicode-aware; addresses that pass the check above
  // only differ from ASCII lowering in exotic local parts.
  if (!list_email.empty() && mail::AsciiLowerCopy(email) == mail::AsciiLowerCopy(list_email)) {
    {
      std::optional<std::string> stripped;
      if (name && name->find(" via ") != std::string::npos) {
        stripped = StripQuotes(mail::PyStrip(std::string_view(*name).substr(0, name->rfind(" via "))));
      } else if (!name) {
        // name.endswith() on None: upstream crashes here.
        return Status::Invalid("'NoneType' object has no attribute 'endswith'");
      } else if (name->size() >= 4 && name->compare(name->size() - 4, 4, " via") == 0) {
        stripped = StripQuotes(mail::PyStrip(std::string_view(*name).substr(0, name->rfind(" via"))));
      }
      if (!mail.original_from.empty()) {
        Split o = SplitFromHeader(mail.original_from);
        if (!o.email) return Status::Invalid("Invalid 'X-Original-From' header");
        return Author{stripped.value_or(""), Truncate255(mail::PyStrip(*o.email))};
      }
      std::vector<const std::string*> headers;
      for (const auto& h : mail.reply_to) headers.push_back(&h);
      for (const auto& h : mail.cc) headers.push_back(&h);
      for (const std::string* h : headers) {
        std::string_view rest = *h;
        while (true) {
          size_t comma = rest.find(',');
          std::string_view addr = rest.substr(0, comma);
          Split a = SplitFromHeader(addr);
          std::optional<std::string> new_name, new_email;
          if (a.name && !a.name->empty()) new_name = Truncate255(mail::PyStrip(*a.name));
          else new_name = a.name;
          if (a.email && !a.email->empty()) new_email = Truncate255(mail::PyStrip(*a.email));
          else new_email = a.email;
          if (new_name == stripped) {
            if (!new_email) {
              return Status::Invalid("Invalid 'From' header");
            }
            return Author{stripped.value_or(""), *new_email};
          }
          if (comma == std::string_view::npos) break;
          rest = rest.substr(comma + 1);
        }
      }
    }
  }
  return Author{name.value_or(""), email};
}

}  // namespace pb::parser
