#include "mail/codec.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "mail/gmime_init.h"
#include "mail/text.h"

namespace pb::mail {
namespace {

#include "mail/codec_tables.inc"

// encodings.normalize_encoding() after codecs.lookup() lower-cased the name.
std::string NormalizeEncoding(std::string_view name) {
  std::string out;
  bool punct = false;
  size_t i = 0;
  while (i < name.size()) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 0x80) {
      char32_t cp = NextCodePoint(name, i);
      // Non-ASCII alphanumerics reset the punctuation flag but are dropped.
      if (IsPyWord(cp) && cp != '_') {
        if (punct && !out.empty()) out += '_';
        punct = false;
      } else {
        punct = true;
      }
      continue;
    }
    ++i;
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || c == '.') {
      if (punct && !out.empty()) out += '_';
      out += AsciiLower(static_cast<char>(c));
      punct = false;
    } else {
      punct = true;
    }
  }
  return out;
}

struct Registry {
  std::unordered_map<std::string, std::string> aliases;
  std::unordered_map<std::string, const uint32_t*> single;
  Registry() {
    for (const auto& a : kCodecAliases) aliases.emplace(a.alias, a.codec);
    for (const auto& s : kSingleByteCodecs) single.emplace(s.codec, s.table);
  }
};

const Registry& Reg() {
  static const Registry r;
  return r;
}

// iconv names for the multi-byte codecs Python has.
const char* IconvName(std::string_view codec) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"big5", "BIG5"},           {"big5hkscs", "BIG5-HKSCS"},
      {"cp932", "CP932"},         {"cp949", "CP949"},
      {"cp950", "CP950"},         {"euc_jis_2004", "EUC-JISX0213"},
      {"euc_jisx0213", "EUC-JISX0213"}, {"euc_jp", "EUC-JP"},
      {"euc_kr", "EUC-KR"},       {"gb18030", "GB18030"},
      {"gb2312", "GB2312"},       {"gbk", "GBK"},
      {"iso2022_jp", "ISO-2022-JP"}, {"iso2022_jp_1", "ISO-2022-JP-1"},
      {"iso2022_jp_2", "ISO-2022-JP-2"}, {"iso2022_jp_2004", "ISO-2022-JP-3"},
      {"iso2022_jp_3", "ISO-2022-JP-3"}, {"iso2022_jp_ext", "ISO-2022-JP-1"},
      {"iso2022_kr", "ISO-2022-KR"}, {"johab", "JOHAB"},
      {"shift_jis", "SHIFT_JIS"}, {"shift_jis_2004", "SHIFT_JISX0213"},
      {"shift_jisx0213", "SHIFT_JISX0213"}, {"utf-16-be", "UTF-16BE"},
      {"utf-16-le", "UTF-16LE"},  {"utf-32-be", "UTF-32BE"},
      {"utf-32-le", "UTF-32LE"},  {"utf-7", "UTF-7"},
  };
  for (const auto& [py, ic] : kMap) {
    if (codec == py) return ic;
  }
  return nullptr;
}

std::optional<std::string> Iconv(std::string_view in, const char* to, const char* from) {
  EnsureGMimeInit();
  iconv_t cd = g_mime_iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  out.resize(in.size() * 4 + 16);
  char* inbuf = const_cast<char*>(in.data());
  size_t inleft = in.size();
  char* outbuf = out.data();
  size_t outleft = out.size();
  bool ok = true;
  while (true) {
    size_t r = iconv(cd, inleft ? &inbuf : nullptr, &inleft, &outbuf, &outleft);
    if (r == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        size_t used = out.size() - outleft;
        out.resize(out.size() * 2);
        outbuf = out.data() + used;
        outleft = out.size() - used;
        continue;
      }
      ok = false;
      break;
    }
    if (r != 0 && r != static_cast<size_t>(-1)) {
      // Irreversible conversions: Python would have failed on them.
      ok = false;
      break;
    }
    if (inleft == 0) {
      // Flush the shift state.
      size_t f = iconv(cd, nullptr, nullptr, &outbuf, &outleft);
      if (f == static_cast<size_t>(-1)) ok = false;
      break;
    }
  }
  size_t used = out.size() - outleft;
  g_mime_iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(used);
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    // Fast path over ASCII, eight bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || (p[1] & 0xC0) != 0x80) return false;
      p += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return false;
      if (c == 0xE0 && p[1] < 0xA0) return false;
      if (c == 0xED && p[1] >= 0xA0) return false;  // surrogates
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
          (p[3] & 0xC0) != 0x80) {
        return false;
      }
      if (c == 0xF0 && p[1] < 0x90) return false;
      if (c == 0xF4 && p[1] >= 0x90) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

std::string Latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (unsigned char c : bytes) AppendUtf8(out, c);
  return out;
}

std::optional<std::string> LookupCodec(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return std::nullopt;
  std::string norm = NormalizeEncoding(name);
  const auto& aliases = Reg().aliases;
  auto it = aliases.find(norm);
  if (it == aliases.end()) {
    std::string dotted = norm;
    std::replace(dotted.begin(), dotted.end(), '.', '_');
    it = aliases.find(dotted);
    if (it == aliases.end()) return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> DecodeBytes(std::string_view bytes, std::string_view codec) {
  if (codec == "utf-8") {
    if (!IsValidUtf8(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  if (codec == "ascii") {
    if (!IsAscii(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  if (codec == "iso8859-1") return Latin1ToUtf8(bytes);
  if (codec == "utf-8-sig") {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    if (!IsValidUtf8(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  const auto& single = Reg().single;
  if (auto it = single.find(std::string(codec)); it != single.end()) {
    const uint32_t* table = it->second;
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (unsigned char c : bytes) {
      uint32_t cp = table[c];
      if (cp == 0xFFFFFFFFu) return std::nullopt;
      AppendUtf8(out, cp);
    }
    return out;
  }
  const char* from = IconvName(codec);
  if (codec == "utf-16" || codec == "utf-32") {
    // Python honours a BOM and otherwise assumes little endian.
    bool is16 = codec == "utf-16";
    if (is16 && bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
      return Iconv(bytes.substr(2), "UTF-8", "UTF-16BE");
    }
    if (is16 && bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
      return Iconv(bytes.substr(2), "UTF-8", "UTF-16LE");
    }
    if (!is16 && bytes.substr(0, 4) == std::string_view("\x00\x00\xFE\xFF", 4)) {
      return Iconv(bytes.substr(4), "UTF-8", "UTF-32BE");
    }
    if (!is16 && bytes.substr(0, 4) == std::string_view("\xFF\xFE\x00\x00", 4)) {
      return Iconv(bytes.substr(4), "UTF-8", "UTF-32LE");
    }
    from = is16 ? "UTF-16LE" : "UTF-32LE";
  }
  if (!from) return std::nullopt;
  return Iconv(bytes, "UTF-8", from);
}

std::optional<std::string> DecodeOwnBytes(std::string&& bytes, std::string_view codec) {
  const bool as_is = codec == "utf-8"   ? IsValidUtf8(bytes)
                     : codec == "ascii" ? IsAscii(bytes)
                     // Latin-1 maps the ASCII bytes to themselves.
                     : codec == "iso8859-1" && IsAscii(bytes);
  if (as_is) return std::move(bytes);
  return DecodeBytes(bytes, codec);
}

std::optional<std::string> EncodeText(std::string_view utf8, std::string_view codec) {
  if (codec == "utf-8") return std::string(utf8);
  if (codec == "ascii") {
    if (!IsAscii(utf8)) return std::nullopt;
    return std::string(utf8);
  }
  const auto& single = Reg().single;
  if (auto it = single.find(std::string(codec)); it != single.end()) {
    const uint32_t* table = it->second;
    std::string out;
    size_t i = 0;
    while (i < utf8.size()) {
      char32_t cp = NextCodePoint(utf8, i);
      int found = -1;
      if (cp < 256 && table[cp] == cp) {
        found = static_cast<int>(cp);
      } else {
        for (int b = 0; b < 256; ++b) {
          if (table[b] == cp) {
            found = b;
            break;
          }
        }
      }
      if (found < 0) return std::nullopt;
      out += static_cast<char>(found);
    }
    return out;
  }
  const char* to = IconvName(codec);
  if (codec == "utf-16") {
    auto body = Iconv(utf8, "UTF-16LE", "UTF-8");
    if (!body) return std::nullopt;
    return std::string("\xFF\xFE") + *body;
  }
  if (codec == "utf-32") {
    auto body = Iconv(utf8, "UTF-32LE", "UTF-8");
    if (!body) return std::nullopt;
    return std::string("\xFF\xFE\x00\x00", 4) + *body;
  }
  if (!to) return std::nullopt;
  return Iconv(utf8, to, "UTF-8");
}

}  // namespace pb::mail
