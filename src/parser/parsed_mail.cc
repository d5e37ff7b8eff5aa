#include "parser/parsed_mail.h"

#include "mail/header.h"
#include "mail/message.h"
#include "mail/text.h"
#include "parser/content.h"
#include "parser/date.h"
#include "parser/subject.h"

namespace pb::parser {
namespace {

// [:255] on a Python str.
std::string Truncate255(std::string s) {
  size_t n = 0, i = 0;
  while (i < s.size() && n < 255) {
    mail::NextCodePoint(s, i);
    ++n;
  }
  s.resize(i);
  return s;
}

// First "<...>" (re.search(r'<[^>]+>')), or nullopt.
std::optional<std::string_view> FirstMsgid(std::string_view s, size_t from = 0) {
  while (true) {
    size_t lt = s.find('<', from);
    if (lt == std::string_view::npos) return std::nullopt;
    size_t gt = s.find('>', lt + 1);
    if (gt == std::string_view::npos) return std::nullopt;
    // [^>]+ may contain '<': the match starts at this '<' if anything lies between.
    if (gt > lt + 1) return s.substr(lt, gt - lt + 1);
    from = lt + 1;
  }
}

std::string CleanOrEmpty(const mail::Message& m, std::string_view name) {
  auto v = m.Get(name);
  if (!v) return "";
  return mail::CleanHeader(*v).value_or("");
}

// §2.5: the id from one list header value, or nullopt.
std::optional<std::string> ListIdFrom(std::string_view h) {
  // .*<([^>]+)>.* (DOTALL, greedy): the last '<' with a non-empty run to a '>'.
  for (size_t lt = h.rfind('<'); lt != std::string_view::npos; lt = lt ? h.rfind('<', lt - 1) : std::string_view::npos) {
    size_t gt = h.find('>', lt + 1);
    if (gt != std::string_view::npos && gt > lt + 1) return std::string(h.substr(lt + 1, gt - lt - 1));
    if (lt == 0) break;
  }
  // ^([\S]+)$
  if (h.empty()) return std::nullopt;
  std::string_view body = h;
  if (body.back() == '\n') body.remove_suffix(1);
  if (body.empty()) return std::nullopt;
  size_t i = 0;
  while (i < body.size()) {
    if (mail::IsPySpace(mail::NextCodePoint(body, i))) return std::nullopt;
  }
  return std::string(body);
}

void ApplySubject(ParsedMail& m, const std::vector<std::string>& drop) {
  auto parts = CleanCleanedSubject(m.subject, drop);
  m.name = Truncate255(parts.name);
  m.prefixes = std::move(parts.prefixes);
  m.series_x.reset();
  m.series_n.reset();
  if (auto marker = ParseSeriesMarker(m.prefixes)) {
    m.series_x = marker->first;
    m.series_n = marker->second;
  }
  // parse_version sees the untruncated name.
  m.version = ParseVersion(parts.name, m.prefixes);
}

std::string ReplaceCrlf(std::string s) {
  size_t at = s.find("\r\n");
  if (at == std::string::npos) return s;
  // Compacted in place: each "\r\n" loses its '\r'.
  size_t out = at;
  for (size_t i = at; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    s[out++] = s[i];
  }
  s.resize(out);
  return s;
}

// §2.6: In-Reply-To, then References nearest first, each once.
std::vector<std::string> References(const mail::Message& m) {
  std::vector<std::string> refs;
  for (std::string_view v : m.GetAll("In-Reply-To")) {
    auto c = mail::CleanHeader(v);
    if (!c || c->empty()) continue;
    if (auto id = FirstMsgid(*c)) {
      refs.emplace_back(*id);
    } else {
      refs.emplace_back(mail::PyStrip(*c));
    }
  }
  for (std::string_view v : m.GetAll("References")) {
    auto c = mail::CleanHeader(v);
    if (!c || c->empty()) continue;
    std::vector<std::string> found;
    size_t from = 0;
    while (auto id = FirstMsgid(*c, from)) {
      found.emplace_back(*id);
      from = static_cast<size_t>(id->data() - c->data()) + id->size();
    }
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
      bool seen = false;
      for (const auto& r : refs) seen |= r == *it;
      if (!seen) refs.push_back(*it);
    }
  }
  return refs;
}

// ParseMail, dropping `linkname` from the subject's prefixes too ("": none).
Result<ParsedMail> ParseMailDropping(std::string_view raw, std::string_view linkname);

}  // namespace

Result<ParsedMail> ParseMail(std::string_view raw, const ParseOptions& options) {
  if (options.universal_newlines && raw.find('\r') != std::string_view::npos) {
    std::string text;
    text.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\r') {
        text += raw[i];
      } else {
        text += '\n';
        if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      }
    }
    return ParseMailDropping(text, options.project_linkname);
  }
  return ParseMailDropping(raw, options.project_linkname);
}

Result<ParsedMail> ParseMail(std::string_view raw) { return ParseMailDropping(raw, {}); }

namespace {

Result<ParsedMail> ParseMailDropping(std::string_view raw, std::string_view linkname) {
  auto msg = mail::Message::Parse(raw);
  const mail::Message& m = *msg;
  if (m.too_deep()) {
    return Status::Invalid("MIME parts nested deeper than " + std::to_string(mail::kMaxMimeDepth) +
                           " levels");
  }
  for (const char* h : {"From", "Subject", "Message-Id"}) {
    if (!m.Has(h)) return Status::Invalid(std::string("Missing '") + h + "' header");
  }
  ParsedMail out;
  out.hint = CleanOrEmpty(m, "X-Patchwork-Hint");

  for (const char* h : {"List-ID", "X-Mailing-List", "X-list"}) {
    auto v = m.Get(h);
    if (!v) continue;
    auto clean = mail::CleanHeader(*v);
    if (!clean || clean->empty()) continue;
    if (auto id = ListIdFrom(*clean)) out.list_ids.push_back(std::move(*id));
  }

  // §2.6 Message-ID
  auto msgid_clean = mail::CleanHeader(*m.Get("Message-Id"));
  if (!msgid_clean || msgid_clean->empty()) return Status::Invalid("Broken 'Message-Id' header");
  if (auto id = FirstMsgid(*msgid_clean)) {
    out.msgid = Truncate255(std::string(*id));
  } else {
    out.msgid = Truncate255(std::string(mail::PyStrip(*msgid_clean)));
  }

  // §2.7 subject
  std::string_view raw_subject = *m.Get("Subject");
  auto subject = mail::CleanHeader(raw_subject);
  if (!subject) return Status::Invalid("Invalid 'Subject' header");
  out.subject = std::move(*subject);
  ApplySubject(out, linkname.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(linkname)});
  out.is_comment = IsReplySubject(out.subject);

  // §2.6 references
  out.refs = References(m);

  // §2.8 date
  if (auto d = m.Get("Date")) {
    if (auto c = mail::CleanHeader(*d); c && !c->empty()) out.date = ParseMailDate(*c);
  }

  // §2.9 headers
  std::string headers;
  size_t room = 0;  // what the lines take unless folded: grown once, not doubling
  for (const auto& h : m.headers()) room += h.name.size() + h.value.size() + 3;
  headers.reserve(room + room / 8);
  for (const auto& h : m.headers()) {
    size_t before = headers.size();
    if (!headers.empty()) headers += '\n';
    if (!mail::AppendHeaderLine(headers, h.name, h.value)) headers.resize(before);
  }
  out.headers = std::move(headers);

  // §2.10 content
  Content content = out.is_comment ? FindCommentContent(m) : FindPatchContent(m);
  if (content.diff && !content.diff->empty()) out.diff = std::move(content.diff);
  if (!content.message.empty()) {
    out.pull_url = ParsePullRequest(content.message);
    // EmailMixin.save() stores the content with CRLF turned into LF.
    out.content = ReplaceCrlf(std::move(content.message));
  }

  out.from = CleanOrEmpty(m, "From");
  out.delegate_email = CleanOrEmpty(m, "X-Patchwork-Delegate");
  out.state_name = CleanOrEmpty(m, "X-Patchwork-State");
  out.action_required = m.Has("X-Patchwork-Action-Required");
  out.original_from = CleanOrEmpty(m, "X-Original-From");
  for (std::string_view v : m.GetAll("Reply-To")) out.reply_to.push_back(mail::CleanHeader(v).value_or(""));
  for (std::string_view v : m.GetAll("Cc")) out.cc.push_back(mail::CleanHeader(v).value_or(""));
  out.raw_subject.assign(raw_subject);
  return out;
}

}  // namespace

void ApplyProjectSubject(ParsedMail& mail, std::string_view linkname) {
  ApplySubject(mail, {std::string(linkname)});
}

std::vector<std::string> ReferencesInHeaders(std::string_view headers) {
  std::string mail(headers);
  mail += "\n\n";
  auto msg = mail::Message::Parse(mail);
  return References(*msg);
}

}  // namespace pb::parser
