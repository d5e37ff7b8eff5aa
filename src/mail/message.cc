#include "mail/message.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "mail/header.h"
#include "mail/text.h"

namespace pb::mail {
namespace {

// A line as Python's BufferedSubFile hands it out: with its line ending
// (\r\n, \r or \n). `eof` marks an unread end-of-input sentinel.
struct Line {
  std::string_view text;
  bool eof = false;
};

bool IsBlankLine(std::string_view l) { return !l.empty() && (l[0] == '\r' || l[0] == '\n'); }

// headerRE = r'^(From |[\041-\071\073-\176]*:|[\t ])'
bool IsHeaderLine(std::string_view l) {
  if (l.empty()) return false;
  if (l[0] == ' ' || l[0] == '\t') return true;
  if (l.substr(0, 5) == "From ") return true;
  for (unsigned char c : l) {
    if (c == ':') return true;
    if (c < 0x21 || c > 0x7E) return false;
  }
  return false;
}

// NLCRE_eol: one trailing line ending.
std::string_view StripOneEol(std::string_view s) {
  if (s.size() >= 2 && s.substr(s.size() - 2) == "\r\n") return s.substr(0, s.size() - 2);
  if (!s.empty() && (s.back() == '\n' || s.back() == '\r')) return s.substr(0, s.size() - 1);
  return s;
}

struct BoundaryMatch {
  bool matched = false;
  bool end = false;
};

// boundaryre: '(?P<sep>--boundary)(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$'
BoundaryMatch MatchBoundary(std::string_view line, std::string_view sep) {
  BoundaryMatch m;
  if (line.size() < sep.size() || line.compare(0, sep.size(), sep) != 0) return m;
  auto rest_ok = [](std::string_view r) {
    size_t i = 0;
    while (i < r.size() && (r[i] == ' ' || r[i] == '\t')) ++i;
    r.remove_prefix(i);
    return r.empty() || r == "\n" || r == "\r" || r == "\r\n" || r == "\r\n\n" || r == "\r\n" ||
           r == "\n\n" || r == "\r\n";
  };
  std::string_view rest = line.substr(sep.size());
  if (rest.substr(0, 2) == "--" && rest_ok(rest.substr(2))) {
    m.matched = m.end = true;
    return m;
  }
  m.matched = rest_ok(rest);
  return m;
}

}  // namespace

class FeedParser {
 public:
  explicit FeedParser(std::string_view raw) : raw_(raw) {}

  std::unique_ptr<Message> Run() {
    auto root = std::make_unique<Message>();
    root_ = root.get();
    ParseGen(nullptr, root_, 0);
    root->owned_ = std::move(storage_);
    root->too_deep_ = too_deep_;
    return root;
  }

 private:
  struct Matcher {
    std::string sep;  // empty: NLCRE (blank line)
  };

  std::optional<std::string_view> NextPhysical() {
    if (pos_ >= raw_.size()) return std::nullopt;
    const char* base = raw_.data() + pos_;
    size_t left = raw_.size() - pos_;
    const char* nl = static_cast<const char*>(std::memchr(base, '\n', left));
    size_t upto = nl ? static_cast<size_t>(nl - base) : left;
    const char* cr = static_cast<const char*>(std::memchr(base, '\r', upto));
    size_t len;
    if (cr) {
      size_t at = static_cast<size_t>(cr - base);
      len = (at + 1 < left && base[at + 1] == '\n') ? at + 2 : at + 1;
    } else {
      len = nl ? upto + 1 : left;
    }
    pos_ += len;
    return std::string_view(base, len);
  }

  bool MatchesEof(std::string_view line) const {
    for (auto it = eof_.rbegin(); it != eof_.rend(); ++it) {
      if (it->sep.empty()) {
        if (IsBlankLine(line)) return true;
      } else if (MatchBoundary(line, it->sep).matched) {
        return true;
      }
    }
    return false;
  }

  // BufferedSubFile.readline(): nullopt stands for ''.
  std::optional<std::string_view> ReadLine() {
    Line line;
    if (!pushback_.empty()) {
      line = pushback_.back();
      pushback_.pop_back();
    } else {
      auto p = NextPhysical();
      if (!p) return std::nullopt;
      line.text = *p;
    }
    if (line.eof) return std::nullopt;
    if (MatchesEof(line.text)) {
      pushback_.push_back(line);
      return std::nullopt;
    }
    return line.text;
  }

  void Unread(std::optional<std::string_view> l) {
    Line line;
    if (l) line.text = *l;
    else line.eof = true;
    pushback_.push_back(line);
  }

  // Collects lines up to '' into one payload; views into raw_ when the lines
  // are contiguous there, which is the normal case.
  void ReadRest(Message* m) {
    // With no boundary or blank-line matcher open and no line pushed back,
    // nothing can end the payload before the input does: it is the rest of
    // the input, the view the loop below builds line by line (two memchr
    // per line: a single-part mail's whole body).
    if (eof_.empty() && pushback_.empty()) {
      std::string_view rest = raw_.substr(pos_);
      pos_ = raw_.size();
      SetPayload(m, false, rest, {});
      return;
    }
    const char* begin = nullptr;
    size_t len = 0;
    bool owned = false;
    std::string buf;
    while (auto l = ReadLine()) {
      if (owned) {
        buf.append(*l);
      } else if (!begin) {
        begin = l->data();
        len = l->size();
      } else if (begin + len == l->data()) {
        len += l->size();
      } else {
        owned = true;
        buf.assign(begin, len);
        buf.append(*l);
      }
    }
    SetPayload(m, owned, std::string_view(begin ? begin : "", len), std::move(buf));
  }

  void SetPayload(Message* m, bool owned, std::string_view view, std::string buf) {
    if (owned) {
      storage_.push_back(std::make_unique<std::string>(std::move(buf)));
      m->payload_ = *storage_.back();
    } else {
      m->payload_ = view;
    }
  }

  void ParseHeaders(Message* m, const std::vector<std::string_view>& lines) {
    std::string_view lastname;
    const char* vbegin = nullptr;
    const char* vend = nullptr;
    bool have = false;
    auto flush = [&] {
      if (!have) return;
      std::string_view v(vbegin, static_cast<size_t>(vend - vbegin));
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.remove_suffix(1);
      m->headers_.push_back({lastname, v});
      have = false;
    };
    for (size_t n = 0; n < lines.size(); ++n) {
      std::string_view line = lines[n];
      if (line[0] == ' ' || line[0] == '\t') {
        if (!have) continue;  // FirstHeaderLineIsContinuationDefect
        // Continuation lines directly follow their header in the buffer.
        vend = line.data() + line.size();
        continue;
      }
      flush();
      if (line.substr(0, 5) == "From ") {
        if (n == 0) continue;  // unixfrom
        if (n == lines.size() - 1) {
          Unread(line);
          return;
        }
        continue;  // MisplacedEnvelopeHeaderDefect
      }
      size_t i = line.find(':');
      if (i == 0 || i == std::string_view::npos) continue;
      lastname = line.substr(0, i);
      size_t v = i + 1;
      while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
      vbegin = line.data() + v;
      vend = line.data() + line.size();
      have = true;
    }
    flush();
  }

  Message* NewMessage(Message* parent, Message* preset) {
    Message* m = preset;
    if (!m) {
      auto owned = std::make_unique<Message>();
      m = owned.get();
      if (parent && parent->ContentType() == "multipart/digest") m->default_type_ = "message/rfc822";
      parent->parts_.push_back(std::move(owned));
      parent->multipart_ = true;
    }
    last_ = m;
    return m;
  }

  // FeedParser._parsegen for one message; `preset` is the root. `depth` is
  // how many messages enclose this one: past kMaxMimeDepth the part's body is
  // kept as an opaque payload and the whole mail is marked too_deep(), so
  // the stack (and every later walk over the tree) stays bounded whatever
  // the input nests.
  void ParseGen(Message* parent, Message* preset, int depth) {
    Message* cur = NewMessage(parent, preset);
    std::vector<std::string_view> header_lines;
    while (auto l = ReadLine()) {
      if (!IsHeaderLine(*l)) {
        if (!IsBlankLine(*l)) Unread(l);  // MissingHeaderBodySeparatorDefect
        break;
      }
      header_lines.push_back(*l);
    }
    ParseHeaders(cur, header_lines);

    const std::string ctype = cur->ContentType();
    if (depth >= kMaxMimeDepth && (ctype.starts_with("message/") || ctype.starts_with("multipart/"))) {
      too_deep_ = true;
      ReadRest(cur);
      return;
    }
    if (ctype == "message/delivery-status") {
      while (true) {
        eof_.push_back({""});
        ParseGen(cur, nullptr, depth + 1);
        eof_.pop_back();
        ReadLine();
        auto l = ReadLine();
        if (!l) break;
        Unread(l);
      }
      return;
    }
    const std::string maintype = ctype.substr(0, ctype.find('/'));
    if (maintype == "message") {
      ParseGen(cur, nullptr, depth + 1);
      return;
    }
    if (maintype == "multipart") {
      auto boundary = cur->GetParam("boundary");
      if (!boundary) {
        ReadRest(cur);
        return;
      }
      std::string b(PyRStrip(*boundary));
      std::string sep = "--" + b;
      bool capturing_preamble = true;
      const char* pre_begin = nullptr;
      size_t pre_len = 0;
      bool pre_owned = false;
      std::string pre_buf;
      while (true) {
        auto l = ReadLine();
        if (!l) break;
        BoundaryMatch mo = MatchBoundary(*l, sep);
        if (mo.matched) {
          if (mo.end) break;
          if (capturing_preamble) {
            capturing_preamble = false;
            Unread(l);
            continue;
          }
          while (true) {
            auto n = ReadLine();
            if (!n || !MatchBoundary(*n, sep).matched) {
              Unread(n);
              break;
            }
          }
          eof_.push_back({sep});
          ParseGen(cur, nullptr, depth + 1);
          if (last_->ContentMaintype() != "multipart" || !last_->multipart_) {
            if (!last_->multipart_) last_->payload_ = StripOneEol(last_->payload_);
          }
          eof_.pop_back();
          last_ = cur;
        } else if (capturing_preamble) {
          if (pre_owned) {
            pre_buf.append(*l);
          } else if (!pre_begin) {
            pre_begin = l->data();
            pre_len = l->size();
          } else if (pre_begin + pre_len == l->data()) {
            pre_len += l->size();
          } else {
            pre_owned = true;
            pre_buf.assign(pre_begin, pre_len);
            pre_buf.append(*l);
          }
        }
      }
      if (capturing_preamble) {
        // StartBoundaryNotFoundDefect: the whole body is the payload.
        SetPayload(cur, pre_owned, std::string_view(pre_begin ? pre_begin : "", pre_len),
                   std::move(pre_buf));
        while (ReadLine()) {
        }
        return;
      }
      // Epilogue (or nothing, without a close boundary): not content.
      while (ReadLine()) {
      }
      return;
    }
    ReadRest(cur);
  }

  std::string_view raw_;
  size_t pos_ = 0;
  std::vector<Line> pushback_;
  std::vector<Matcher> eof_;
  Message* root_ = nullptr;
  Message* last_ = nullptr;
  bool too_deep_ = false;
  std::vector<std::unique_ptr<std::string>> storage_;
};

std::unique_ptr<Message> Message::Parse(std::string_view raw) {
  FeedParser p(raw);
  return p.Run();
}

// The lengths first, here: a mail's ~40 headers are asked for by name a
// dozen times per mail, and nearly every name differs in length.
std::optional<std::string_view> Message::Get(std::string_view name) const {
  for (const auto& h : headers_) {
    if (h.name.size() == name.size() && IEquals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::vector<std::string_view> Message::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& h : headers_) {
    if (h.name.size() == name.size() && IEquals(h.name, name)) out.push_back(h.value);
  }
  return out;
}

namespace {

// str(value) of a header as compat32 returns it.
std::string HeaderStr(std::string_view raw) {
  if (IsAscii(raw)) return std::string(raw);
  return ReplaceHighBytes(raw);
}

// _splitparam(value)[0]
std::string_view SplitParamHead(std::string_view v) { return PyStrip(v.substr(0, v.find(';'))); }

// Message._parseparam: the ';'-separated items, quotes respected.
std::vector<std::string> ParseParams(std::string_view value) {
  std::string s = ";" + std::string(value);
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size() && s[pos] == ';') {
    ++pos;
    std::string_view rest(s.data() + pos, s.size() - pos);
    // s.count('"', 0, end) - s.count('\\"', 0, end) is odd: inside quotes.
    auto count_quotes = [&](size_t end) {
      long q = 0, eq = 0;
      for (size_t i = 0; i < end; ++i) {
        if (rest[i] == '"') ++q;
        if (i + 1 < end && rest[i] == '\\' && rest[i + 1] == '"') {
          ++eq;
          ++i;
          ++q;
        }
      }
      return (q - eq) % 2 != 0;
    };
    size_t end = rest.find(';');
    while (end != std::string_view::npos && end > 0 && count_quotes(end)) {
      end = rest.find(';', end + 1);
    }
    if (end == std::string_view::npos) end = rest.size();
    std::string f(rest.substr(0, end));
    size_t eq = f.find('=');
    if (eq != std::string::npos) {
      f = AsciiLowerCopy(PyStrip(std::string_view(f).substr(0, eq))) + "=" +
          std::string(PyStrip(std::string_view(f).substr(eq + 1)));
    }
    out.emplace_back(PyStrip(f));
    pos += end;
  }
  return out;
}

// email.utils.unquote
std::string Unquote(std::string_view s) {
  if (s.size() > 1) {
    if (s.front() == '"' && s.back() == '"') {
      std::string inner(s.substr(1, s.size() - 2));
      std::string a;
      for (size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\\' && i + 1 < inner.size() && inner[i + 1] == '\\') {
          a += '\\';
          ++i;
        } else {
          a += inner[i];
        }
      }
      std::string b;
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == '\\' && i + 1 < a.size() && a[i + 1] == '"') {
          b += '"';
          ++i;
        } else {
          b += a[i];
        }
      }
      return b;
    }
    if (s.front() == '<' && s.back() == '>') return std::string(s.substr(1, s.size() - 2));
  }
  return std::string(s);
}

}  // namespace

std::string Message::ContentType() const {
  auto v = Get("content-type");
  if (!v) return default_type_;
  std::string head;
  if (IsAscii(*v)) {
    head = AsciiLowerCopy(SplitParamHead(*v));
  } else {
    head = AsciiLowerCopy(SplitParamHead(HeaderStr(*v)));
  }
  size_t slashes = 0;
  for (char c : head) slashes += c == '/';
  if (slashes != 1) return "text/plain";
  return head;
}

std::string Message::ContentMaintype() const {
  std::string t = ContentType();
  return t.substr(0, t.find('/'));
}

std::string Message::ContentSubtype() const {
  std::string t = ContentType();
  return t.substr(t.find('/') + 1);
}

std::optional<std::string> Message::GetParam(std::string_view name) const {
  auto v = Get("content-type");
  if (!v) return std::nullopt;
  auto items = ParseParams(HeaderStr(*v));
  // decode_params: plain parameters in order, then RFC 2231 ones.
  std::optional<std::string> rfc2231;
  std::vector<std::pair<int, std::string>> pieces;
  for (size_t i = 1; i < items.size(); ++i) {
    std::string_view p = items[i];
    size_t eq = p.find('=');
    std::string_view k = PyStrip(eq == std::string_view::npos ? p : p.substr(0, eq));
    std::string_view val = eq == std::string_view::npos ? std::string_view() : PyStrip(p.substr(eq + 1));
    // rfc2231_continuation: name*, name*N, name*N*
    size_t star = k.find('*');
    if (star != std::string_view::npos && star > 0) {
      std::string_view base = k.substr(0, star);
      std::string_view tail = k.substr(star + 1);
      bool word = true;
      for (char c : base) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) word = false;
      }
      bool ok = tail.empty();
      int num = -1;
      if (!tail.empty()) {
        size_t d = 0;
        while (d < tail.size() && tail[d] >= '0' && tail[d] <= '9') ++d;
        ok = d > 0 && (d == tail.size() || (d + 1 == tail.size() && tail[d] == '*'));
        if (ok) num = std::atoi(std::string(tail.substr(0, d)).c_str());
      }
      if (word && ok) {
        if (IEquals(base, name)) pieces.emplace_back(num, Unquote(val));
        continue;
      }
    }
    if (IEquals(k, name)) return Unquote(val);
  }
  if (!pieces.empty()) {
    std::stable_sort(pieces.begin(), pieces.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string joined;
    for (auto& p : pieces) joined += p.second;
    return joined;
  }
  return rfc2231;
}

std::optional<std::string> Message::ContentCharset() const {
  auto c = GetParam("charset");
  if (!c || !IsAscii(*c)) return std::nullopt;
  return AsciiLowerCopy(*c);
}

std::optional<std::string> A2bBase64(std::string_view s, bool strict) {
  static const auto table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(a[i])] = static_cast<int8_t>(i);
    return t;
  }();
  // Written by index into a buffer sized for the most it can hold:
  // appending byte by byte was most of the decoder's cost.
  std::string out(s.size() / 4 * 3 + 3, '\0');
  size_t n = 0;
  int quad = 0, pads = 0;
  bool padding_started = false;
  unsigned left = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '=') {
      padding_started = true;
      if (strict && quad == 0) return std::nullopt;
      if (quad >= 2 && quad + ++pads >= 4) {
        if (strict && i + 1 < s.size()) return std::nullopt;
        out.resize(n);
        return out;
      }
      continue;
    }
    int v = table[c];
    if (v < 0) {
      if (strict) return std::nullopt;
      continue;
    }
    if (strict && padding_started) return std::nullopt;
    pads = 0;
    switch (quad) {
      case 0: quad = 1; left = v; break;
      case 1: quad = 2; out[n++] = static_cast<char>((left << 2) | (v >> 4)); left = v & 0x0F; break;
      case 2: quad = 3; out[n++] = static_cast<char>((left << 4) | (v >> 2)); left = v & 0x03; break;
      case 3: quad = 0; out[n++] = static_cast<char>((left << 6) | v); left = 0; break;
    }
  }
  if (quad != 0) return std::nullopt;
  out.resize(n);
  return out;
}

std::string DecodeQuotedPrintable(std::string_view d) {
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  auto val = [](char c) { return c <= '9' ? c - '0' : (c >= 'a' ? c - 'a' + 10 : c - 'A' + 10); };
  std::string out;
  out.reserve(d.size());
  size_t in = 0;
  while (in < d.size()) {
    if (d[in] == '=') {
      ++in;
      if (in >= d.size()) break;
      if (d[in] == '\n' || d[in] == '\r') {
        if (d[in] != '\n') {
          while (in < d.size() && d[in] != '\n') ++in;
        }
        if (in < d.size()) ++in;
      } else if (d[in] == '=') {
        out += '=';
        ++in;
      } else if (in + 1 < d.size() && hex(d[in]) && hex(d[in + 1])) {
        out += static_cast<char>(val(d[in]) * 16 + val(d[in + 1]));
        in += 2;
      } else {
        out += '=';
      }
    } else {
      out += d[in++];
    }
  }
  return out;
}

namespace {

}  // namespace

std::string DecodeBase64Body(std::string_view encoded) {
  size_t pad_err = encoded.size() % 4;
  std::string padded(encoded);
  if (pad_err) padded.append(std::string("===").substr(0, 4 - pad_err));
  if (auto r = A2bBase64(padded, /*strict=*/true)) return *r;
  if (auto r = A2bBase64(encoded, /*strict=*/false)) return *r;
  std::string plus(encoded);
  plus += "==";
  if (auto r = A2bBase64(plus, /*strict=*/false)) return *r;
  return std::string(encoded);
}

std::string Message::DecodedPayload() const {
  auto cte_raw = Get("content-transfer-encoding");
  std::string cte = cte_raw ? AsciiLowerCopy(HeaderStr(*cte_raw)) : std::string();
  if (cte == "quoted-printable") return DecodeQuotedPrintable(payload_);
  if (cte == "base64") {
    // b''.join(bpayload.splitlines())
    std::string joined(payload_.size(), '\0');
    size_t n = 0;
    for (char c : payload_) {
      joined[n] = c;
      n += c != '\n' && c != '\r';
    }
    joined.resize(n);
    return DecodeBase64Body(joined);
  }
  return std::string(payload_);
}

void Message::Walk(const std::function<void(const Message&)>& fn) const {
  fn(*this);
  if (multipart_) {
    for (const auto& p : parts_) p->Walk(fn);
  }
}

}  // namespace pb::mail
