#include "xmlrpc/marshal.h"

#include <cstdint>

#include "xmlrpc/py.h"
#include "xmlrpc/py_error.h"

namespace pb::xmlrpc {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The length of the UTF-8 sequence at s[i] (1 for a malformed byte), and
// whether it encodes a character XML 1.0 allows: #x9 | #xA | #xD |
// [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
struct XmlChar {
  size_t len;
  bool allowed;
};

XmlChar XmlCharAt(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c < 0x80) return {1, c >= 0x20 || c == '\t' || c == '\n' || c == '\r'};
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? XmlChar{2, true} : XmlChar{1, false};
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return {1, false};
    char32_t cp = ((c & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    if (cp < 0x800) return {1, false};  // overlong
    return {3, !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF};
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return {1, false};
    char32_t cp = ((c & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
                  (b(i + 3) & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return {1, false};
    return {4, true};
  }
  return {1, false};
}

// xmlrpc.client.escape escapes only &, < and >, and CPython writes control
// characters from stored mail (NUL, ESC) raw, so its reply is not
// well-formed XML and every client fails to read it. Here a byte that is not
// part of a character XML 1.0 allows becomes one U+FFFD per character (or
// per malformed byte) instead; everything else is byte-identical to CPython.
void Escape(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      default: break;
    }
    XmlChar x = XmlCharAt(s, i);
    if (x.allowed) out.append(s.substr(i, x.len));
    else out += "\xEF\xBF\xBD";
    i += x.len;
  }
}

void Dump(const Value& v, std::string& out, bool allow_none = false) {
  switch (v.kind) {
    case Value::Kind::kNil:
      if (!allow_none) throw PyError{"TypeError", "cannot marshal None unless allow_none is enabled"};
      out += "<value><nil/></value>";  // sic: CPython writes no newline here
      return;
    case Value::Kind::kBool:
      out += v.i ? "<value><boolean>1</boolean></value>\n" : "<value><boolean>0</boolean></value>\n";
      return;
    case Value::Kind::kInt:
      if (v.i > INT32_MAX || v.i < INT32_MIN) {
        throw PyError{"OverflowError", "int exceeds XML-RPC limits"};
      }
      out += "<value><int>" + std::to_string(v.i) + "</int></value>\n";
      return;
    case Value::Kind::kDouble:
      out += "<value><double>" + PyFloatRepr(v.d) + "</double></value>\n";
      return;
    case Value::Kind::kString:
      out += "<value><string>";
      Escape(v.s, out);
      out += "</string></value>\n";
      return;
    case Value::Kind::kBytes:
      out += "<value><base64>\n" + EncodeBase64Lines(v.s) + "</base64></value>\n";
      return;
    case Value::Kind::kDateTime:
      out += "<value><dateTime.iso8601>" + v.s + "</dateTime.iso8601></value>\n";
      return;
    case Value::Kind::kArray:
      out += "<value><array><data>\n";
      for (const auto& item : v.items) Dump(item, out, allow_none);
      out += "</data></array></value>\n";
      return;
    case Value::Kind::kStruct:
      out += "<value><struct>\n";
      for (const auto& [key, item] : v.members) {
        out += "<member>\n<name>";
        Escape(key, out);
        out += "</name>\n";
        Dump(item, out, allow_none);
        out += "</member>\n";
      }
      out += "</struct></value>\n";
      return;
  }
}

constexpr char kHeader[] = "<?xml version='1.0'?>\n<methodResponse>\n";
constexpr char kFooter[] = "</methodResponse>\n";

}  // namespace

std::string DumpResponse(const Value& result) {
  std::string out = kHeader;
  out += "<params>\n<param>\n";
  Dump(result, out);
  out += "</param>\n</params>\n";
  out += kFooter;
  return out;
}

std::string DumpCall(std::string_view method, const std::vector<Value>& params) {
  std::string out = "<?xml version='1.0'?>\n<methodCall>\n<methodName>";
  Escape(method, out);
  out += "</methodName>\n<params>\n";
  for (const auto& p : params) {
    out += "<param>\n";
    Dump(p, out, /*allow_none=*/true);
    out += "</param>\n";
  }
  out += "</params>\n</methodCall>\n";
  return out;
}

std::string DumpFault(int code, std::string_view message) {
  Value fault = Value::Struct();
  fault.Add("faultCode", Value::Int(code));
  fault.Add("faultString", Value::String(std::string(message)));
  std::string out = kHeader;
  out += "<fault>\n";
  Dump(fault, out);
  out += "</fault>\n";
  out += kFooter;
  return out;
}

std::string EncodeBase64Lines(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() * 4 / 3 + raw.size() / 57 + 8);
  // 57 input bytes make one 76-character line.
  for (size_t line = 0; line < raw.size(); line += 57) {
    size_t end = std::min(raw.size(), line + 57);
    for (size_t i = line; i < end; i += 3) {
      uint32_t n = static_cast<unsigned char>(raw[i]) << 16;
      size_t left = end - i;
      if (left > 1) n |= static_cast<unsigned char>(raw[i + 1]) << 8;
      if (left > 2) n |= static_cast<unsigned char>(raw[i + 2]);
      out += kAlphabet[(n >> 18) & 63];
      out += kAlphabet[(n >> 12) & 63];
      out += left > 1 ? kAlphabet[(n >> 6) & 63] : '=';
      out += left > 2 ? kAlphabet[n & 63] : '=';
    }
    out += '\n';
  }
  return out;
}

bool DecodeBase64(std::string_view text, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0, quads = 0, pad = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') {
      // Padding ends the data once the current quad is complete with it.
      ++pad;
      if ((quads + pad) % 4 == 0) break;
      continue;
    } else {
      continue;
    }
    if (pad) return false;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++quads;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // A lone trailing sextet can't form a byte; unpadded partial quads are bad.
  int rem = quads % 4;
  if (rem == 1) return false;
  if (rem != 0 && (rem + pad) % 4 != 0) return false;
  return true;
}

}  // namespace pb::xmlrpc
