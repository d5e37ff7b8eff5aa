#include "mbox/mbox.h"

#include <cctype>
#include <cstdio>

#include "core/strings.h"
#include "db/mbox_store.h"
#include "mail/header.h"

namespace pb::mbox {
namespace {

std::string Strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string RStrip(std::string_view s) {
  size_t e = s.size();
  while (e > 0 && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(0, e));
}

bool IsAscii(std::string_view s) {
  for (unsigned char ch : s) {
    if (ch > 0x7f) return false;
  }
  return true;
}

// Position of the first line matching ^-{2,3} ?$ (re.M), and its length.
std::optional<std::pair<size_t, size_t>> FindPostscript(std::string_view body) {
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('\n', pos);
    std::string_view line = body.substr(pos, end == std::string_view::npos ? body.npos : end - pos);
    std::string_view core = line;
    if (!core.empty() && core.back() == ' ') core.remove_suffix(1);
    if (core == "--" || core == "---") return std::make_pair(pos, line.size());
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

// Lines of a reply that carry review tags: folded into the commit message.
std::string Responses(std::string_view comment) {
  static const char* kPrefixes[] = {"tested-by:", "reviewed-by:", "acked-by:", "signed-off-by:",
                                    "nacked-by:", "reported-by:"};
  std::string out;
  size_t pos = 0;
  while (pos <= comment.size()) {
    size_t end = comment.find('\n', pos);
    std::string_view line = comment.substr(pos, end == std::string_view::npos ? comment.npos : end - pos);
    for (const char* prefix : kPrefixes) {
      if (StartsWithNoCase(line, prefix)) {
        out.append(line);
        out += '\n';
        break;
      }
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Python's Charset('utf-8').header_encode: the shorter of B and Q (Q on a tie).
std::string EncodeUtf8Word(std::string_view s) {
  size_t len64 = (s.size() / 3) * 4 + (s.size() % 3 ? 4 : 0);
  auto safe = [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '!' || ch == '*' || ch == '+' || ch == '/';
  };
  size_t lenqp = 0;
  for (unsigned char ch : s) lenqp += (safe(ch) || ch == ' ') ? 1 : 3;
  if (len64 < lenqp) return "=?utf-8?b?" + Base64(s) + "?=";
  std::string q = "=?utf-8?q?";
  for (unsigned char ch : s) {
    if (ch == ' ') {
      q += '_';
    } else if (safe(ch)) {
      q += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "=%02X", ch);
      q += buf;
    }
  }
  return q + "?=";
}

// email.utils.formataddr((name, email)).
std::string FormatAddress(const std::optional<std::string>& name, const std::string& email) {
  if (!name || name->empty()) return email;
  if (!IsAscii(*name)) return EncodeUtf8Word(*name) + " <" + email + ">";
  bool special = name->find_first_of("[]\\()<>@,:;\".") != std::string::npos;
  std::string escaped;
  for (char ch : *name) {
    if (ch == '\\' || ch == '"') escaped += '\\';
    escaped += ch;
  }
  return special ? "\"" + escaped + "\" <" + email + ">" : escaped + " <" + email + ">";
}

// The address part of a From value, as the parser's split_from_header finds it.
std::string AddressOf(std::string_view from) {
  size_t lt = from.find('<');
  if (lt != std::string_view::npos) {
    size_t gt = from.find('>', lt + 1);
    if (gt != std::string_view::npos && gt > lt + 1) return std::string(from.substr(lt + 1, gt - lt - 1));
  }
  size_t paren = from.find('(');
  if (paren != std::string_view::npos) {
    std::string addr = Strip(from.substr(0, paren));
    if (!addr.empty() && addr.front() == '"') addr.erase(0, 1);
    if (!addr.empty() && addr.back() == '"') addr.pop_back();
    return addr;
  }
  return std::string(from);
}

const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// datetime.ctime(): "Tue Aug  1 17:10:01 2023".
std::string CTime(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %d", kDays[c.weekday], kMonths[c.month - 1],
                c.day, c.hour, c.minute, c.second, c.year);
  return buf;
}

// email.utils.formatdate(ts): "Tue, 01 Aug 2023 17:10:01 -0000".
std::string FormatDate(Micros t) {
  Civil c = CivilFromMicros(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d -0000", kDays[c.weekday], c.day,
                kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return buf;
}

// Stored header text → (name, value) pairs, values keeping their folds, as
// email.parser.HeaderParser reads them.
std::vector<std::pair<std::string, std::string>> ParseStoredHeaders(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!out.empty()) {
        out.back().second += '\n';
        out.back().second.append(line);
      }
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t')) value.remove_prefix(1);
    out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return out;
}


Submission FromStore(db::MboxSubmission&& m) {
  Submission s;
  s.id = m.id;
  s.is_patch = m.is_patch;
  s.content = std::move(m.content);
  s.diff = std::move(m.diff);
  s.headers = std::move(m.headers);
  s.date = m.date;
  s.submitter_name = std::move(m.submitter_name);
  s.submitter_email = std::move(m.submitter_email);
  s.delegate_email = std::move(m.delegate_email);
  s.list_email = std::move(m.list_email);
  s.comment_contents = std::move(m.comment_contents);
  return s;
}

std::string Join(std::vector<db::MboxSubmission>&& patches) {
  std::string out;
  for (size_t i = 0; i < patches.size(); ++i) {
    if (i) out += '\n';
    out += FormatSubmission(FromStore(std::move(patches[i])));
  }
  return out;
}

}  // namespace

std::string FormatSubmission(const Submission& s) {
  std::string body;
  if (s.content && !s.content->empty()) body = Strip(*s.content) + "\n";
  std::string postscript;
  if (auto sep = FindPostscript(body)) {
    postscript = RStrip(std::string_view(body).substr(sep->first + sep->second));
    body = Strip(std::string_view(body).substr(0, sep->first)) + "\n";
  }
  for (const auto& c : s.comment_contents) body += Responses(c);
  if (!postscript.empty()) body += "---" + postscript + "\n";
  if (s.is_patch && s.diff && !s.diff->empty()) body += "\n" + *s.diff;

  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Content-Type", "text/plain; charset=\"utf-8\"");
  headers.emplace_back("MIME-Version", "1.0");
  headers.emplace_back("Content-Transfer-Encoding", IsAscii(body) ? "7bit" : "8bit");
  std::string submitter = FormatAddress(s.submitter_name, s.submitter_email);
  headers.emplace_back("X-Patchwork-Submitter", submitter);
  headers.emplace_back("X-Patchwork-Id", std::to_string(s.id));
  if (s.is_patch && s.delegate_email) headers.emplace_back("X-Patchwork-Delegate", *s.delegate_email);
  bool has_date = false;
  for (auto& [name, value] : ParseStoredHeaders(s.headers)) {
    if (name == "Content-Type" || name == "Content-Transfer-Encoding") continue;
    if (name == "From" && AddressOf(value) == s.list_email) {
      headers.emplace_back("X-Patchwork-Original-From", value);
      value = submitter;
    }
    if (EqualsNoCase(name, "Date")) has_date = true;
    headers.emplace_back(std::move(name), std::move(value));
  }
  if (!has_date) headers.emplace_back("Date", FormatDate(s.date));

  std::string out = "From patchwork " + CTime(s.date) + "\n";
  for (const auto& [name, value] : headers) {
    out += name + ": " + mail::EncodeHeaderValue(name, value) + "\n";
  }
  out += "\n";
  out += body;
  return out;
}

std::optional<std::string> PatchMbox(db::Connection& c, db::Id patch_id) {
  auto p = db::LoadPatchForMbox(c, patch_id);
  if (!p) return std::nullopt;
  return FormatSubmission(FromStore(std::move(*p)));
}

std::optional<std::string> CoverMbox(db::Connection& c, db::Id cover_id) {
  auto v = db::LoadCoverForMbox(c, cover_id);
  if (!v) return std::nullopt;
  return FormatSubmission(FromStore(std::move(*v)));
}

std::optional<std::string> SeriesMbox(db::Connection& c, db::Id series_id) {
  if (!db::SeriesExists(c, series_id)) return std::nullopt;
  return Join(db::LoadSeriesPatchesForMbox(c, series_id));
}

std::optional<std::string> PatchWithDependenciesMbox(db::Connection& c, db::Id patch_id) {
  auto p = db::LoadPatchForMbox(c, patch_id);
  if (!p) return std::nullopt;
  std::vector<db::MboxSubmission> all;
  if (p->series_id && p->number) all = db::LoadSeriesPatchesForMbox(c, *p->series_id, *p->number);
  all.push_back(std::move(*p));
  return Join(std::move(all));
}

std::optional<std::string> BundleMbox(db::Connection& c, db::Id bundle_id) {
  auto patches = db::LoadBundleForMbox(c, bundle_id);
  if (!patches) return std::nullopt;
  return Join(std::move(*patches));
}

}  // namespace pb::mbox
