#include "mail/header.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "mail/ascii_fold.h"
#include "mail/codec.h"
#include "mail/message.h"
#include "mail/plain_header.h"
#include "mail/text.h"

namespace pb::mail {
namespace {

constexpr int kQP = 1, kBase64 = 2, kShortest = 3;
constexpr size_t kMaxLineLen = kMaxHeaderLineLen;
constexpr size_t kChromeLen = 7;    // RFC2047_CHROME_LEN

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int HexVal(char c) {
  return c <= '9' ? c - '0' : (c >= 'a' ? c - 'a' + 10 : c - 'A' + 10);
}

// One match of email.header.ecre at or after `from`.
struct EncodedWord {
  size_t begin, end;
  std::string_view charset, encoding, encoded;
};

std::optional<EncodedWord> FindEncodedWord(std::string_view s, size_t from) {
  while (true) {
    size_t b = s.find("=?", from);
    if (b == std::string_view::npos) return std::nullopt;
    size_t q1 = s.find('?', b + 2);
    if (q1 != std::string_view::npos && q1 + 2 < s.size()) {
      char e = s[q1 + 1];
      if ((e == 'q' || e == 'Q' || e == 'b' || e == 'B') && s[q1 + 2] == '?') {
        size_t p = q1 + 3;
        // Non-greedy ".*?" up to the next "?=", not crossing a newline.
        while (p + 1 < s.size() && s[p] != '\n' && !(s[p] == '?' && s[p + 1] == '=')) ++p;
        if (p + 1 < s.size() && s[p] == '?' && s[p + 1] == '=') {
          return EncodedWord{b, p + 2, s.substr(b + 2, q1 - b - 2), s.substr(q1 + 1, 1),
                             s.substr(q1 + 3, p - q1 - 3)};
        }
      }
    }
    from = b + 1;
  }
}

// lstrip() of a string whose non-ASCII characters are surrogate escapes.
std::string_view AsciiLStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80 && IsPySpace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool IsNonCtext(char32_t cp) { return IsPySpace(cp) || cp == '(' || cp == ')' || cp == '\\'; }

char32_t FirstCp(std::string_view s) {
  size_t i = 0;
  return NextCodePoint(s, i);
}
char32_t LastCp(std::string_view s) {
  size_t k = s.size() - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  size_t i = k;
  return NextCodePoint(s, i);
}

// Decoded (bytes, charset) pairs; charset "" means None (plain text).
struct Word {
  std::string bytes;
  std::string charset;
  bool has_charset;
};

// email.header.decode_header on a str header (no 8-bit bytes).
std::optional<std::vector<Word>> DecodeHeader(std::string_view header) {
  std::vector<Word> out;
  if (!FindEncodedWord(header, 0)) {
    out.push_back({std::string(header), "", false});
    return out;
  }
  struct Raw {
    std::string_view text;
    char encoding;  // 0 for unencoded
    std::string charset;
  };
  std::vector<Raw> words;
  for (std::string_view line : PySplitLines(header, /*unicode=*/false)) {
    size_t pos = 0;
    bool first = true;
    while (true) {
      auto m = FindEncodedWord(line, pos);
      std::string_view unenc = line.substr(pos, (m ? m->begin : line.size()) - pos);
      if (first) {
        unenc = PyLStrip(unenc);
        first = false;
      }
      if (!unenc.empty()) words.push_back({unenc, 0, ""});
      if (!m) break;
      words.push_back({m->encoded, AsciiLower(m->encoding[0]), AsciiLowerCopy(m->charset)});
      pos = m->end;
    }
  }
  // Drop whitespace-only runs between two encoded words.
  std::vector<bool> drop(words.size(), false);
  for (size_t n = 2; n < words.size(); ++n) {
    std::string_view mid = words[n - 1].text;
    if (words[n].encoding && words[n - 2].encoding && !mid.empty() && PyStrip(mid).empty()) {
      drop[n - 1] = true;
    }
  }
  std::vector<Word> decoded;
  for (size_t n = 0; n < words.size(); ++n) {
    if (drop[n]) continue;
    const Raw& w = words[n];
    if (!w.encoding) {
      decoded.push_back({std::string(w.text), "", false});
    } else if (w.encoding == 'q') {
      std::string b;
      std::string_view t = w.text;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '=' && i + 2 < t.size() && IsHex(t[i + 1]) && IsHex(t[i + 2])) {
          b += static_cast<char>(HexVal(t[i + 1]) * 16 + HexVal(t[i + 2]));
          i += 2;
        } else {
          b += t[i] == '_' ? ' ' : t[i];
        }
      }
      decoded.push_back({std::move(b), w.charset, true});
    } else {
      std::string enc(w.text);
      if (size_t pad = enc.size() % 4) enc.append(std::string("===").substr(0, 4 - pad));
      auto b = A2bBase64(enc, /*strict=*/false);
      if (!b) return std::nullopt;  // HeaderParseError
      decoded.push_back({std::move(*b), w.charset, true});
    }
  }
  // Collapse runs of the same charset.
  bool have_last = false;
  Word last;
  for (auto& w : decoded) {
    if (!have_last) {
      last = std::move(w);
      have_last = true;
    } else if (w.has_charset != last.has_charset || w.charset != last.charset) {
      out.push_back(std::move(last));
      last = std::move(w);
    } else if (!last.has_charset) {
      last.bytes += ' ';
      last.bytes += w.bytes;
    } else {
      last.bytes += w.bytes;
    }
  }
  // Nothing decoded at all: Python ends in an AttributeError; treat as broken.
  if (!have_last) return std::nullopt;
  out.push_back(std::move(last));
  return out;
}

// Header.append(s, charset); false where Python raises (Unicode/Lookup/Value).
bool Append(std::vector<HeaderChunk>& chunks, std::string_view bytes, PyCharset cs) {
  std::string text;
  if (cs.IsUnknown8bit()) {
    text = std::string(bytes);
  } else if (cs.IsAsciiLike()) {
    if (!IsAscii(bytes)) return false;
    chunks.push_back({std::string(bytes), std::move(cs)});
    return true;
  } else {
    std::string codec_name = cs.input_codec.empty() ? "us-ascii" : cs.input_codec;
    auto codec = LookupCodec(codec_name);
    if (!codec) return false;
    auto d = DecodeBytes(bytes, *codec);
    if (!d) return false;
    text = std::move(*d);
  }
  std::string out_name = cs.output_codec.empty() ? "us-ascii" : cs.output_codec;
  if (out_name != "unknown-8bit") {
    bool ok;
    if (out_name == "us-ascii") {
      ok = IsAscii(text);
    } else {
      auto codec = LookupCodec(out_name);
      ok = codec && EncodeText(text, *codec).has_value();
    }
    if (!ok) {
      if (out_name != "us-ascii") return false;
      cs = PyCharset::Make("utf-8");
    }
  }
  chunks.push_back({std::move(text), std::move(cs)});
  return true;
}

// Header._normalize(): merge adjacent chunks with equal charsets, joined by a space.
std::vector<HeaderChunk> Normalize(std::vector<HeaderChunk> in) {
  std::vector<HeaderChunk> out;
  for (auto& c : in) {
    if (!out.empty() && out.back().charset.input_charset == c.charset.input_charset) {
      out.back().text += ' ';
      out.back().text += c.text;
    } else {
      out.push_back(std::move(c));
    }
  }
  return out;
}

// ---- Header.encode() machinery (email.header._ValueFormatter) ----

// Views into the header's own text, string literals, or the formatter's
// kept strings: the formatter moves parts between lines many times per
// header, and copying them was most of its cost.
struct Part {
  std::string_view fws, text;
};

class Accumulator {
 public:
  explicit Accumulator(size_t initial) : initial_(initial), len_(initial) {}
  std::vector<Part> parts;
  size_t initial_;

  void Push(std::string_view fws, std::string_view text) {
    len_ += fws.size() + text.size();
    parts.push_back({fws, text});
  }
  Part Pop() {
    if (parts.empty()) return {"", ""};
    Part p = parts.back();
    parts.pop_back();
    len_ -= p.fws.size() + p.text.size();
    return p;
  }
  // Drops parts[i:] and returns them.
  std::vector<Part> PopFrom(size_t i) {
    std::vector<Part> rest(parts.begin() + i, parts.end());
    parts.resize(i);
    for (const auto& p : rest) len_ -= p.fws.size() + p.text.size();
    return rest;
  }
  size_t Len() const { return len_; }
  std::string Str() const {
    std::string s;
    s.reserve(len_);
    for (const auto& p : parts) {
      s += p.fws;
      s += p.text;
    }
    return s;
  }
  void Reset(std::vector<Part> start = {}) {
    parts = std::move(start);
    initial_ = 0;
    len_ = 0;
    for (const auto& p : parts) len_ += p.fws.size() + p.text.size();
  }
  bool IsOnlyWs() const {
    if (initial_ != 0) return false;
    if (parts.empty()) return true;
    if (len_ == 0) return false;
    // Parts hold whole code points, so the joined text is all white space
    // exactly when every part is.
    for (const auto& p : parts) {
      if (!PyLStrip(p.fws).empty() || !PyLStrip(p.text).empty()) return false;
    }
    return true;
  }

 private:
  size_t len_;
};

size_t QpHeaderLen(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
      c == '!' || c == '*' || c == '+' || c == '/' || c == ' ') {
    return 1;
  }
  return 3;
}

size_t Base64Len(size_t n) { return n / 3 * 4 + (n % 3 ? 4 : 0); }

std::string Base64Encode(std::string_view in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string QpHeaderEncode(std::string_view in) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (c == ' ') {
      out += '_';
    } else if (QpHeaderLen(c) == 1) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// _encode(string, codec) for one chunk's text.
std::optional<std::string> EncodeChunkText(std::string_view text, const PyCharset& cs,
                                           std::string_view codec_name) {
  if (cs.IsUnknown8bit() || codec_name == "unknown-8bit") return std::string(text);
  if (codec_name == "us-ascii") {
    if (!IsAscii(text)) return std::nullopt;
    return std::string(text);
  }
  auto codec = LookupCodec(codec_name);
  if (!codec) return std::nullopt;
  return EncodeText(text, *codec);
}

class ValueFormatter {
 public:
  ValueFormatter(size_t headerlen, size_t maxlen, std::string cws)
      : maxlen_(maxlen), cws_(std::move(cws)), cur_(headerlen) {}

  bool failed = false;

  std::string Finish() {
    Newline();
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (i) out += '\n';
      out += lines_[i];
    }
    return out;
  }

  void Newline() {
    Part end = cur_.Pop();
    if (!(end.fws == " " && end.text.empty())) cur_.Push(end.fws, end.text);
    if (cur_.Len() > 0) {
      if (cur_.IsOnlyWs() && !lines_.empty()) {
        lines_.back() += cur_.Str();
      } else {
        lines_.push_back(cur_.Str());
      }
    }
    cur_.Reset();
  }

  void AddTransition() { cur_.Push(" ", ""); }

  void Feed(std::string_view fws, std::string_view text, const PyCharset& cs) {
    if (cs.header_encoding == 0) {
      AsciiSplit(fws, text);
      return;
    }
    std::vector<std::optional<std::string>> encoded = HeaderEncodeLines(text, cs);
    if (failed || encoded.empty()) return;
    if (encoded.front()) AppendChunk(Keep(std::string(fws)), Keep(std::move(*encoded.front())));
    if (encoded.size() == 1) return;
    Newline();
    cur_.Push(cws_, Keep(encoded.back().value_or("")));
    for (size_t i = 1; i + 1 < encoded.size(); ++i) {
      lines_.push_back(cws_ + encoded[i].value_or(""));
    }
  }

 private:
  // Charset.header_encode_lines() with this formatter's _maxlengths().
  std::vector<std::optional<std::string>> HeaderEncodeLines(std::string_view text,
                                                            const PyCharset& cs) {
    std::vector<std::optional<std::string>> lines;
    const std::string codec = cs.output_codec.empty() ? "us-ascii" : cs.output_codec;
    auto all = EncodeChunkText(text, cs, codec);
    if (!all) {
      failed = true;
      return lines;
    }
    int mode = cs.header_encoding;
    if (mode == kShortest) {
      size_t qlen = 0;
      for (unsigned char c : *all) qlen += QpHeaderLen(c);
      mode = Base64Len(all->size()) < qlen ? kBase64 : kQP;
    }
    auto encoder = [&](std::string_view bytes) -> std::string {
      if (bytes.empty()) return "";
      if (mode == kBase64) return "=?" + codec + "?b?" + Base64Encode(bytes) + "?=";
      return "=?" + codec + "?q?" + QpHeaderEncode(bytes) + "?=";
    };
    const std::string out_name = cs.output_charset.empty() ? cs.input_charset : cs.output_charset;
    const long extra = static_cast<long>(out_name.size() + kChromeLen);
    bool first_len = true;
    auto next_max = [&]() -> long {
      long v = first_len ? static_cast<long>(maxlen_) - static_cast<long>(cur_.Len())
                         : static_cast<long>(maxlen_) - static_cast<long>(cws_.size());
      first_len = false;
      return v - extra;
    };
    long maxlen = next_max();
    bool stateful = false;
    if (auto c = LookupCodec(out_name)) {
      stateful = c->rfind("iso2022", 0) == 0 || c->rfind("utf-16", 0) == 0 ||
                 c->rfind("utf-32", 0) == 0 || *c == "utf-7" || *c == "hz";
    }
    // Characters: bytes for unknown-8bit, code points otherwise.
    std::string cur_bytes;  // encoded form of the current line
    size_t cur_len = 0;     // its header_length
    size_t i = 0;
    bool line_empty = true;
    while (i < text.size()) {
      size_t start = i;
      if (cs.IsUnknown8bit()) {
        ++i;
      } else {
        NextCodePoint(text, i);
      }
      auto enc = EncodeChunkText(text.substr(start, i - start), cs, out_name);
      if (!enc) {
        failed = true;
        return lines;
      }
      std::string trial = cur_bytes + *enc;
      size_t len;
      if (stateful) {
        // Escape sequences make the encoding of a prefix non-additive.
        auto whole = EncodeChunkText(cur_text_ + std::string(text.substr(start, i - start)), cs, out_name);
        trial = whole.value_or(trial);
      }
      if (mode == kBase64) {
        len = Base64Len(trial.size());
      } else if (stateful) {
        len = 0;
        for (unsigned char c : trial) len += QpHeaderLen(c);
      } else {
        size_t add = 0;
        for (unsigned char c : *enc) add += QpHeaderLen(c);
        len = cur_len + add;
      }
      if (static_cast<long>(len) > maxlen) {
        if (lines.empty() && line_empty) {
          lines.push_back(std::nullopt);
        } else {
          auto b = EncodeChunkText(cur_text_, cs, codec);
          lines.push_back(encoder(b ? *b : ""));
        }
        cur_text_ = std::string(text.substr(start, i - start));
        cur_bytes = *enc;
        cur_len = mode == kBase64 ? Base64Len(cur_bytes.size()) : 0;
        if (mode != kBase64) {
          for (unsigned char c : cur_bytes) cur_len += QpHeaderLen(c);
        }
        line_empty = false;
        maxlen = next_max();
      } else {
        cur_text_.append(text.substr(start, i - start));
        cur_bytes = std::move(trial);
        cur_len = len;
        line_empty = false;
      }
    }
    auto b = EncodeChunkText(cur_text_, cs, codec);
    lines.push_back(encoder(b ? *b : ""));
    cur_text_.clear();
    return lines;
  }

  void AsciiSplit(std::string_view fws, std::string_view text) {
    // fws is normally the blanks right before text in the same line.
    std::string_view s = fws.empty() ? text
                         : fws.data() + fws.size() == text.data()
                             ? std::string_view(fws.data(), fws.size() + text.size())
                             : Keep(std::string(fws) + std::string(text));
    // re.split("([ \t]+)", s), paired up as (fws, part): the first part
    // (if not empty) with no fws, then each blank run with the text after it.
    auto blank = [&](size_t k) { return s[k] == ' ' || s[k] == '\t'; };
    size_t at = 0;
    while (at < s.size() && !blank(at)) ++at;
    if (at > 0) AppendChunk("", s.substr(0, at));
    while (at < s.size()) {
      size_t text_at = at;
      while (text_at < s.size() && blank(text_at)) ++text_at;
      size_t next = text_at;
      while (next < s.size() && !blank(next)) ++next;
      AppendChunk(s.substr(at, text_at - at), s.substr(text_at, next - text_at));
      at = next;
    }
  }

  void AppendChunk(std::string_view fws, std::string_view text) {
    cur_.Push(fws, text);
    if (cur_.Len() <= maxlen_) return;
    static const char kSplit[] = {';', ',', ' ', '\t'};
    long found = -1;
    for (char ch : kSplit) {
      for (long i = static_cast<long>(cur_.parts.size()) - 1; i > 0; --i) {
        if (ch == ' ' || ch == '\t') {
          std::string_view f = cur_.parts[i].fws;
          if (!f.empty() && f[0] == ch) {
            found = i;
            break;
          }
        }
        std::string_view prev = cur_.parts[i - 1].text;
        if (!prev.empty() && prev.back() == ch) {
          found = i;
          break;
        }
      }
      if (found >= 0) break;
    }
    if (found < 0) {
      Part p = cur_.Pop();
      if (cur_.initial_ > 0) {
        Newline();
        if (p.fws.empty()) p.fws = " ";
      }
      cur_.Push(p.fws, p.text);
      return;
    }
    std::vector<Part> rest = cur_.PopFrom(found);
    lines_.push_back(cur_.Str());
    cur_.Reset(std::move(rest));
  }

  // Keeps a string the parts may point into until the formatter is done.
  std::string_view Keep(std::string s) { return kept_.emplace_back(std::move(s)); }

  std::deque<std::string> kept_;
  size_t maxlen_;
  std::string cws_;
  Accumulator cur_;
  std::vector<std::string> lines_;
  std::string cur_text_;
};

std::optional<PyHeader> SanitiseUnchecked(std::string_view raw, size_t headerlen) {
  std::vector<HeaderChunk> chunks;
  if (!IsAscii(raw)) {
    // compat32 turns a value with surrogate escapes into Header(value,
    // 'unknown-8bit'); decode_header hands those bytes back unchanged.
    chunks.push_back({std::string(raw), PyCharset::Make("unknown-8bit")});
    return PyHeader(Normalize(std::move(chunks)), headerlen);
  }
  auto words = DecodeHeader(raw);
  if (!words) return std::nullopt;
  bool ok = true;
  for (const auto& w : *words) {
    PyCharset cs = PyCharset::Make(w.has_charset ? std::string_view(w.charset) : "us-ascii");
    if (!Append(chunks, w.bytes, cs)) {
      ok = false;
      break;
    }
  }
  if (!ok) {
    chunks.clear();
    for (const auto& w : *words) {
      chunks.push_back({w.bytes, PyCharset::Make("unknown-8bit")});
    }
  }
  return PyHeader(Normalize(std::move(chunks)), headerlen);
}

// sanitise_header(): also None when encode() raises.
std::optional<PyHeader> Sanitise(std::string_view raw, size_t headerlen) {
  auto h = SanitiseUnchecked(raw, headerlen);
  if (!h || !h->Encode()) return std::nullopt;
  return h;
}

}  // namespace

PyCharset PyCharset::Make(std::string_view name) {
  // Nearly every chunk of every header is plain ASCII.
  if (name == "us-ascii") {
    static const PyCharset kAscii = Make("ascii");
    return kAscii;
  }
  static const std::pair<const char*, const char*> kAliases[] = {
      {"latin_1", "iso-8859-1"},  {"latin-1", "iso-8859-1"},  {"latin_2", "iso-8859-2"},
      {"latin-2", "iso-8859-2"},  {"latin_3", "iso-8859-3"},  {"latin-3", "iso-8859-3"},
      {"latin_4", "iso-8859-4"},  {"latin-4", "iso-8859-4"},  {"latin_5", "iso-8859-9"},
      {"latin-5", "iso-8859-9"},  {"latin_6", "iso-8859-10"}, {"latin-6", "iso-8859-10"},
      {"latin_7", "iso-8859-13"}, {"latin-7", "iso-8859-13"}, {"latin_8", "iso-8859-14"},
      {"latin-8", "iso-8859-14"}, {"latin_9", "iso-8859-15"}, {"latin-9", "iso-8859-15"},
      {"latin_10", "iso-8859-16"}, {"latin-10", "iso-8859-16"}, {"cp949", "ks_c_5601-1987"},
      {"euc_jp", "euc-jp"},       {"euc_kr", "euc-kr"},       {"ascii", "us-ascii"},
  };
  struct Props {
    const char* name;
    int henc;
    const char* conv;
  };
  static const Props kCharsets[] = {
      {"iso-8859-1", kQP, nullptr},  {"iso-8859-2", kQP, nullptr},  {"iso-8859-3", kQP, nullptr},
      {"iso-8859-4", kQP, nullptr},  {"iso-8859-9", kQP, nullptr},  {"iso-8859-10", kQP, nullptr},
      {"iso-8859-13", kQP, nullptr}, {"iso-8859-14", kQP, nullptr}, {"iso-8859-15", kQP, nullptr},
      {"iso-8859-16", kQP, nullptr}, {"windows-1252", kQP, nullptr}, {"viscii", kQP, nullptr},
      {"us-ascii", 0, nullptr},      {"big5", kBase64, nullptr},     {"gb2312", kBase64, nullptr},
      {"euc-jp", kBase64, "iso-2022-jp"}, {"shift_jis", kBase64, "iso-2022-jp"},
      {"iso-2022-jp", kBase64, nullptr}, {"koi8-r", kBase64, nullptr},
      {"utf-8", kShortest, "utf-8"},
  };
  auto alias = [&](const std::string& n) -> std::string {
    for (const auto& [a, b] : kAliases) {
      if (n == a) return b;
    }
    return n;
  };
  auto codec_map = [](const std::string& n) -> std::string {
    if (n == "gb2312") return "eucgb2312_cn";
    if (n == "big5") return "big5_tw";
    if (n == "us-ascii") return "";
    return n;
  };
  PyCharset c;
  c.input_charset = alias(AsciiLowerCopy(name));
  c.header_encoding = kShortest;
  std::string conv;
  for (const auto& p : kCharsets) {
    if (c.input_charset == p.name) {
      c.header_encoding = p.henc;
      if (p.conv) conv = p.conv;
      break;
    }
  }
  if (conv.empty()) conv = c.input_charset;
  c.output_charset = alias(conv);
  c.input_codec = codec_map(c.input_charset);
  c.output_codec = codec_map(c.output_charset);
  return c;
}

std::string PyHeader::ToString() const {
  std::string out;
  bool first = true;
  std::string lastcs;
  bool lastcs_ascii = true;  // None or us-ascii
  bool lastspace = false;
  for (const auto& c : chunks_) {
    bool next_ascii = c.charset.IsAsciiLike();
    std::string replaced;
    std::string_view s = c.text;
    if (c.charset.IsUnknown8bit()) {
      replaced = ReplaceHighBytes(c.text);
      s = replaced;
    }
    if (!first) {
      bool hasspace = !s.empty() && IsNonCtext(FirstCp(s));
      if (!lastcs_ascii) {
        if (next_ascii && !hasspace) {
          out += ' ';
          next_ascii = true;  // nextcs = None
        }
      } else if (!next_ascii && !lastspace) {
        out += ' ';
      }
    }
    first = false;
    lastspace = !s.empty() && IsNonCtext(LastCp(s));
    lastcs_ascii = next_ascii;
    out += s;
  }
  return out;
}

std::optional<std::string> PyHeader::Encode() const {
  if (chunks_.size() == 1 && chunks_[0].charset.IsAsciiLike() &&
      IsPlainShortHeader(chunks_[0].text, headerlen_)) {
    return chunks_[0].text;
  }
  ValueFormatter f(headerlen_, kMaxLineLen, "\t");
  bool started = false;
  bool lastcs_ascii = true;
  bool lastspace = false;
  for (const auto& c : chunks_) {
    const bool raw = c.charset.IsUnknown8bit();
    const bool ascii = c.charset.IsAsciiLike();
    if (started) {
      // Surrogate escapes are never whitespace or parentheses.
      bool hasspace = !c.text.empty() && !(raw && static_cast<unsigned char>(c.text[0]) >= 0x80) &&
                      IsNonCtext(FirstCp(c.text));
      if (!lastcs_ascii) {
        if (!hasspace || !ascii) f.AddTransition();
      } else if (!ascii && !lastspace) {
        f.AddTransition();
      }
    }
    lastspace = !c.text.empty() && !(raw && static_cast<unsigned char>(c.text.back()) >= 0x80) &&
                IsNonCtext(LastCp(c.text));
    lastcs_ascii = ascii;
    started = true;
    auto lines = PySplitLines(c.text, /*unicode=*/!raw);
    if (!lines.empty()) {
      f.Feed("", lines[0], c.charset);
    } else {
      f.Feed("", "", c.charset);
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      f.Newline();
      if (c.charset.header_encoding != 0) {
        std::string s = " ";
        s += raw ? AsciiLStrip(lines[i]) : PyLStrip(lines[i]);
        f.Feed("\t", s, c.charset);
      } else {
        std::string_view sline = PyLStrip(lines[i]);
        f.Feed(lines[i].substr(0, lines[i].size() - sline.size()), sline, c.charset);
      }
      if (f.failed) return std::nullopt;
    }
    if (lines.size() > 1) f.Newline();
    if (f.failed) return std::nullopt;
  }
  if (!chunks_.empty()) f.AddTransition();
  std::string value = f.Finish();
  if (f.failed || HasEmbeddedHeader(value)) return std::nullopt;
  return value;
}

std::optional<PyHeader> SanitiseHeader(std::string_view raw_value, std::string_view header_name) {
  return Sanitise(raw_value, header_name.empty() ? 0 : header_name.size() + 2);
}

namespace {

// The encoded (or cleaned) values of recent headers that needed
// re-folding or decoding, by the header name's length (all the encoding
// depends on besides the value) and the raw value. A list's mails repeat
// some of them byte for byte in every mail (Return-Path, one character too
// long; List-Subscribe; List-Unsubscribe; Sender; a regular sender's
// encoded From), and encoding one costs ~13k instructions.
// Two generations: when the young one is full it becomes the old one, and a
// value found in the old one moves back, so what every mail has stays.
class EncodedHeaderMemo {
 public:
  static constexpr size_t kEntries = 64;      // per generation
  static constexpr size_t kMaxValue = 2048;   // longer values are not kept

  // nullptr: not known; else the encoding (nullopt: the header is omitted).
  const std::optional<std::string>* Find(size_t name_size, std::string_view raw) {
    key_.assign(reinterpret_cast<const char*>(&name_size), sizeof name_size);
    key_.append(raw);
    if (auto it = young_.find(key_); it != young_.end()) return &it->second;
    auto it = old_.find(key_);
    if (it == old_.end()) return nullptr;
    auto value = std::move(it->second);
    old_.erase(it);
    return Put(std::move(value));
  }
  // Keeps the encoding of the key Find last looked up.
  const std::optional<std::string>* Put(std::optional<std::string> encoded) {
    if (key_.size() > sizeof(size_t) + kMaxValue) {
      spare_ = std::move(encoded);
      return &spare_;
    }
    if (young_.size() >= kEntries) {
      old_ = std::move(young_);
      young_.clear();
    }
    return &young_.insert_or_assign(key_, std::move(encoded)).first->second;
  }

 private:
  std::string key_;
  std::unordered_map<std::string, std::optional<std::string>> young_, old_;
  std::optional<std::string> spare_;
};

}  // namespace

std::optional<std::string> CleanHeader(std::string_view raw_value) {
  if (IsPlainShortHeader(raw_value, 0)) return NormaliseSpace(raw_value);
  if (IsUnencodedAscii(raw_value)) {
    // sanitise_header's value is the text itself; it is None only when
    // encode() raises, which the fold tells.
    if (!EveryBreakStartsABlankLine(raw_value)) {
      thread_local std::string folded;
      folded.clear();
      if (!AppendAsciiFolded(folded, raw_value, 0)) return std::nullopt;
    }
    return NormaliseSpace(raw_value);
  }
  // A memo of its own: the cleaned text does not depend on a name.
  thread_local EncodedHeaderMemo memo;
  if (const auto* known = memo.Find(0, raw_value)) return *known;
  std::optional<std::string> cleaned;
  if (auto h = Sanitise(raw_value, 0)) cleaned = NormaliseSpace(h->ToString());
  return *memo.Put(std::move(cleaned));
}

std::optional<std::string> EncodeHeaderLine(std::string_view name, std::string_view raw_value) {
  std::string line;
  if (!AppendHeaderLine(line, name, raw_value)) return std::nullopt;
  return line;
}

namespace {

// A value that is one token too long for the name's line: printable ASCII
// with no blank (so one line, and nothing for the folding to split at) and
// no "=?" (so decode_header hands it back whole). Long Message-IDs, a
// References or In-Reply-To of one id, Return-Path and the X-...-Source
// hashes are; a sixth of the headers IsPlainShortHeader turns away.
// Python's _ValueFormatter finds no split point for a lone part and, as
// there is a header name, puts the part on a continuation line of its own
// after a space ("There will be a header, so leave it on a line by
// itself"), whatever its length; the name's line keeps its ": ".
bool IsLongSingleToken(std::string_view v, size_t headerlen) {
  if (v.empty() || headerlen + v.size() <= kMaxHeaderLineLen) return false;
  char prev = 0;
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || (c == '?' && prev == '=')) return false;
    prev = ch;
  }
  return true;
}

// A value that IsPlainShortHeader turns away only because lines end in
// blanks (Authentication-Results, Received and X-Received often end a line
// in "; "): printable ASCII or tabs, no "=?", every line within its
// columns, the first starting with a non-blank and every continuation line
// with a blank, and each holding more than blanks. Python's folding then
// splits nothing and keeps every line, except that _ValueFormatter.newline()
// drops a line's last part when it is exactly (' ', ''): a line that ends
// in one space, and nothing else blank, loses it. Header.encode() ends
// every line of a value of several lines that way, the last one too; the
// one line of a single-line value keeps it (newline() then drops the empty
// part add_transition() put after it). Appends the encoding to `out`, or
// returns false when the value is not of this kind.
bool AppendBlankEndedHeader(std::string& out, std::string_view name, std::string_view v) {
  const size_t headerlen = name.size() + 2;
  if (v.empty() || v[0] == ' ' || v[0] == '\t') return false;
  size_t limit = kMaxHeaderLineLen - std::min(headerlen, kMaxHeaderLineLen);
  bool several = false;
  char prev = 0;
  for (size_t start = 0; start <= v.size();) {
    size_t end = v.find('\n', start);
    if (end == std::string_view::npos) end = v.size(); else several = true;
    std::string_view line = v.substr(start, end - start);
    if (line.size() > limit) return false;
    if (start > 0 && (line.empty() || (line[0] != ' ' && line[0] != '\t'))) return false;
    bool text = false;
    for (char ch : line) {
      auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c >= 0x7F || (c == '?' && prev == '=')) return false;
      text = text || (c != ' ' && c != '\t');
      prev = ch;
    }
    if (!text) return false;
    prev = '\n';
    limit = kMaxHeaderLineLen;
    start = end + 1;
  }
  out.append(name);
  out.append(": ", 2);
  if (!several) {
    out.append(v);
    return true;
  }
  for (size_t start = 0; start <= v.size();) {
    size_t end = v.find('\n', start);
    if (end == std::string_view::npos) end = v.size();
    std::string_view line = v.substr(start, end - start);
    // The blanks that end it, if they are one space alone.
    size_t blanks = line.size() - (line.find_last_not_of(" \t") + 1);
    if (blanks == 1 && line.back() == ' ') line.remove_suffix(1);
    if (start > 0) out += '\n';
    out.append(line);
    start = end + 1;
  }
  return true;
}

}  // namespace

bool AppendHeaderLine(std::string& out, std::string_view name, std::string_view raw_value) {
  if (IsPlainShortHeader(raw_value, name.size() + 2)) {
    // Every header of every mail: room made once and filled, not three
    // appends (each its own capacity check and copy call).
    const size_t at = out.size();
    out.resize(at + name.size() + 2 + raw_value.size());
    char* p = out.data() + at;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = ':';
    *p++ = ' ';
    std::memcpy(p, raw_value.data(), raw_value.size());
    return true;
  }
  if (IsLongSingleToken(raw_value, name.size() + 2)) {
    out.append(name);
    out.append(": \n ", 4);
    out.append(raw_value);
    return true;
  }
  if (AppendBlankEndedHeader(out, name, raw_value)) return true;
  if (IsUnencodedAscii(raw_value)) {
    const size_t before = out.size();
    out.append(name);
    out.append(": ", 2);
    if (AppendAsciiFolded(out, raw_value, name.size() + 2)) return true;
    out.resize(before);
    return false;
  }
  thread_local EncodedHeaderMemo memo;
  const std::optional<std::string>* enc = memo.Find(name.size(), raw_value);
  if (!enc) {
    std::optional<std::string> encoded;
    if (auto h = SanitiseUnchecked(raw_value, name.size() + 2)) encoded = h->Encode();
    enc = memo.Put(std::move(encoded));
  }
  if (!*enc) return false;
  out.append(name);
  out.append(": ", 2);
  out += **enc;
  return true;
}

std::string EncodeHeaderValue(std::string_view name, std::string_view value) {
  std::vector<HeaderChunk> chunk;
  chunk.push_back({std::string(value), PyCharset::Make(IsAscii(value) ? "us-ascii" : "utf-8")});
  PyHeader h(std::move(chunk), name.size() + 2);
  return h.Encode().value_or(std::string(value));
}

}  // namespace pb::mail
