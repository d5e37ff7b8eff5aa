#include "xmlrpc/py.h"

#include <charconv>
#include <cmath>

#include "xmlrpc/py_error.h"

namespace pb::xmlrpc {
namespace {

std::string StrRepr(std::string_view s, bool bytes) {
  // Python picks double quotes only when the text has a ' and no ".
  char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"' : '\'';
  std::string out = bytes ? "b" : "";
  out += q;
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
  return out;
}

}  // namespace

std::string_view PyStrip(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n\f\v");
  if (a == std::string_view::npos) return {};
  size_t b = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(a, b - a + 1);
}

std::string PyFloatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

bool ParsePyInt(std::string_view text, int64_t* out) {
  std::string_view t = PyStrip(text);
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  std::string digits;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] >= '0' && t[i] <= '9') {
      digits += t[i];
    } else if (t[i] == '_' && i > 0 && i + 1 < t.size() && t[i - 1] != '_' &&
               t[i + 1] >= '0' && t[i + 1] <= '9') {
      continue;
    } else {
      return false;
    }
  }
  if (digits.empty()) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc()) return false;
  *out = neg ? -v : v;
  return true;
}

std::string PyStr(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil: return "None";
    case Value::Kind::kBool: return v.i ? "True" : "False";
    case Value::Kind::kInt: return std::to_string(v.i);
    case Value::Kind::kDouble: return PyFloatRepr(v.d);
    case Value::Kind::kString: return v.s;
    case Value::Kind::kDateTime: return v.s;
    default: return PyRepr(v);
  }
}

std::string PyRepr(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString: return StrRepr(v.s, false);
    case Value::Kind::kBytes: return "<xmlrpc.client.Binary>";
    case Value::Kind::kDateTime: return "<DateTime '" + v.s + "'>";
    case Value::Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        out += PyRepr(v.items[i]);
      }
      return out + "]";
    }
    case Value::Kind::kStruct: {
      std::string out = "{";
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ", ";
        out += StrRepr(v.members[i].first, false) + ": " + PyRepr(v.members[i].second);
      }
      return out + "}";
    }
    default: return PyStr(v);
  }
}

bool PyTruthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil: return false;
    case Value::Kind::kBool:
    case Value::Kind::kInt: return v.i != 0;
    case Value::Kind::kDouble: return v.d != 0;
    case Value::Kind::kString:
    case Value::Kind::kBytes: return !v.s.empty();
    case Value::Kind::kDateTime: return true;
    case Value::Kind::kArray: return !v.items.empty();
    case Value::Kind::kStruct: return !v.members.empty();
  }
  return false;
}

std::string_view PyTypeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil: return "NoneType";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kDouble: return "float";
    case Value::Kind::kString: return "str";
    case Value::Kind::kBytes: return "Binary";
    case Value::Kind::kDateTime: return "DateTime";
    case Value::Kind::kArray: return "list";
    case Value::Kind::kStruct: return "dict";
  }
  return "object";
}

int64_t DjangoInt(const Value& v, std::string_view field) {
  int64_t n = 0;
  switch (v.kind) {
    case Value::Kind::kBool:
    case Value::Kind::kInt: return v.i;
    case Value::Kind::kDouble:
      if (std::isfinite(v.d) && std::fabs(v.d) < 9.2e18) return static_cast<int64_t>(v.d);
      break;
    case Value::Kind::kString:
      if (ParsePyInt(v.s, &n)) return n;
      throw PyError{"ValueError", "Field '" + std::string(field) + "' expected a number but got " +
                                      PyRepr(v) + "."};
    default: break;
  }
  throw PyError{"TypeError",
                "Field '" + std::string(field) + "' expected a number but got " + PyRepr(v) + "."};
}

bool DjangoBool(const Value& v) {
  if (v.is(Value::Kind::kBool) || (v.is(Value::Kind::kInt) && (v.i == 0 || v.i == 1))) return v.i;
  if (v.is(Value::Kind::kDouble) && (v.d == 0 || v.d == 1)) return v.d != 0;
  if (v.is(Value::Kind::kString)) {
    if (v.s == "t" || v.s == "True" || v.s == "1") return true;
    if (v.s == "f" || v.s == "False" || v.s == "0") return false;
  }
  throw PyError{"django.core.exceptions.ValidationError",
                "['\u201c" + PyStr(v) + "\u201d value must be either True or False.']"};
}

int64_t PyCountArg(const Value& v) {
  if (v.kind == Value::Kind::kInt || v.kind == Value::Kind::kBool) return v.i;
  throw PyError{"TypeError", "'>' not supported between instances of '" +
                                 std::string(PyTypeName(v)) + "' and 'int'"};
}

}  // namespace pb::xmlrpc
