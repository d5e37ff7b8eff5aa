#include "api/drf_fields.h"

#include <boost/json/serialize.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>

#include "api/json_writer.h"
#include "api/response.h"

namespace pb::api {
namespace {

bool IsPySpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x1c || c == 0x1d || c == 0x1e || c == 0x1f; }

std::string_view PyStrip(std::string_view s) {
  while (!s.empty() && IsPySpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && IsPySpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Django's URLValidator (schemes http, https, ftp, ftps), simplified: the
// host must be a dotted name with a TLD, "localhost", an IPv4 address or an
// [IPv6] literal; optional port; no whitespace anywhere.
bool ValidUrl(std::string_view url) {
  for (unsigned char c : url) {
    if (IsPySpace(c)) return false;
  }
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return false;
  std::string scheme(url.substr(0, colon));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "ftps") return false;
  std::string_view rest = url.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view inner = host.substr(1, close - 1);
    if (inner.empty() || inner.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) return false;
    port = host.substr(close + 1);
    if (!port.empty()) {
      if (port.front() != ':') return false;
      port.remove_prefix(1);
      if (!IsDigits(port) || port.size() > 5) return false;
    }
    return true;
  }
  size_t pc = host.rfind(':');
  if (pc != std::string_view::npos) {
    port = host.substr(pc + 1);
    host = host.substr(0, pc);
    if (!IsDigits(port) || port.size() > 5) return false;
  }
  if (host.empty()) return false;
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost") return true;
  // IPv4
  {
    int parts = 0;
    bool ok = true;
    size_t p = 0;
    while (p <= lower.size()) {
      size_t dot = lower.find('.', p);
      std::string_view seg = std::string_view(lower).substr(p, dot == std::string::npos ? std::string::npos : dot - p);
      if (!IsDigits(seg) || seg.size() > 3 || std::stoi(std::string(seg)) > 255) {
        ok = false;
        break;
      }
      ++parts;
      if (dot == std::string::npos) break;
      p = dot + 1;
    }
    if (ok && parts == 4) return true;
  }
  // Domain labels + TLD.
  if (lower.back() == '.') lower.pop_back();
  size_t last_dot = lower.rfind('.');
  if (last_dot == std::string::npos) return false;
  std::string_view tld = std::string_view(lower).substr(last_dot + 1);
  bool tld_ok = tld.size() >= 2 && tld.size() <= 63;
  if (tld.substr(0, 4) == "xn--") {
    tld_ok = tld_ok && tld.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
  } else {
    for (unsigned char c : tld) {
      if (!(std::isalpha(c) || c >= 0x80)) tld_ok = false;
    }
  }
  if (!tld_ok) return false;
  std::string_view labels = std::string_view(lower).substr(0, last_dot);
  size_t p = 0;
  while (p <= labels.size()) {
    size_t dot = labels.find('.', p);
    std::string_view label = labels.substr(p, dot == std::string_view::npos ? std::string_view::npos : dot - p);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label) {
      if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
    }
    if (dot == std::string_view::npos) break;
    p = dot + 1;
  }
  return true;
}

bool ValidSlug(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string PyFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == std::floor(d) && std::fabs(d) < 1e16) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", d);
    return buf;
  }
  // repr(): the shortest round-tripping form.
  for (int prec = 1; prec <= 17; ++prec) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) {
      std::string s = buf;
      size_t e = s.find('e');
      if (e != std::string::npos) {
        // Python writes 1e+20 as "1e+20", 1e-05 as "1e-05": same as printf.
      }
      return s;
    }
  }
  return std::to_string(d);
}

}  // namespace

void FieldErrors::Add(std::string_view field, std::string message) {
  for (auto& [name, msgs] : errors_) {
    if (name == field) {
      msgs.push_back(std::move(message));
      return;
    }
  }
  errors_.push_back({std::string(field), {std::move(message)}});
}

void FieldErrors::AddNested(std::string_view field, std::string json) {
  errors_.push_back({std::string(field), {}});
  nested_.emplace_back(std::string(field), std::move(json));
}

bool FieldErrors::Has(std::string_view field) const {
  for (const auto& e : errors_) {
    if (e.first == field) return true;
  }
  return false;
}

std::string FieldErrors::ToJson() const {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  for (const auto& [name, msgs] : errors_) {
    w.Key(name);
    bool raw = false;
    for (const auto& [n, json] : nested_) {
      if (n == name && msgs.empty()) {
        w.Raw(json);
        raw = true;
      }
    }
    if (raw) continue;
    w.BeginArray();
    for (const auto& m : msgs) w.String(m);
    w.EndArray();
  }
  w.EndObject();
  return out;
}

http::Response ValidationErrorResponse(const FieldErrors& errors, std::string_view allow) {
  return JsonResponse(400, errors.ToJson(), allow);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string PyStr(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string: return std::string(v.as_string());
    case boost::json::kind::int64: return std::to_string(v.as_int64());
    case boost::json::kind::uint64: return std::to_string(v.as_uint64());
    case boost::json::kind::double_: return PyFloat(v.as_double());
    case boost::json::kind::bool_: return v.as_bool() ? "True" : "False";
    case boost::json::kind::null: return "None";
    default: return boost::json::serialize(v);
  }
}

Raw ReadRaw(Input& in, const FieldSpec& spec, boost::json::value* out,
            const boost::json::value* form_missing_default) {
  const boost::json::value* v = in.data.Get(spec.name);
  boost::json::value tmp;
  if (in.data.is_form()) {
    if (!v) {
      if (in.partial) return Raw::kAbsent;
      if (form_missing_default) {
        *out = *form_missing_default;
        return Raw::kValue;
      }
    } else if (v->is_string() && v->as_string().empty()) {
      if (spec.allow_null) {
        if (spec.allow_blank) {
          *out = "";
          return Raw::kValue;
        }
        return Raw::kNull;
      }
      if (!spec.required) {
        if (spec.allow_blank) {
          *out = "";
          return Raw::kValue;
        }
        return Raw::kAbsent;
      }
    }
  }
  if (!v) {
    if (in.partial) return Raw::kAbsent;
    if (spec.required) in.errors.Add(spec.name, "This field is required.");
    return Raw::kAbsent;
  }
  if (v->is_null()) {
    if (!spec.allow_null) {
      in.errors.Add(spec.name, "This field may not be null.");
      return Raw::kAbsent;
    }
    return Raw::kNull;
  }
  *out = *v;
  return Raw::kValue;
}

FieldValue<std::string> ReadChar(Input& in, const FieldSpec& spec, CharKind kind) {
  FieldValue<std::string> out;
  // CharField.run_validation: blank (after trimming) first.
  if (const auto* v = in.data.Get(spec.name); v && v->is_string() && PyStrip(v->as_string()).empty()) {
    if (in.data.is_form() && v->as_string().empty() && spec.allow_null && !spec.allow_blank) {
      out.set = true;  // '' in a form is None for a nullable, non-blank field
      return out;
    }
    if (!spec.allow_blank) {
      if (in.data.is_form() && v->as_string().empty() && !spec.required && !spec.allow_null) {
        return out;  // get_value: '' for an optional field is "not given"
      }
      in.errors.Add(spec.name, "This field may not be blank.");
      return out;
    }
    out.set = true;
    out.value = "";
    return out;
  }
  boost::json::value v;
  Raw r = ReadRaw(in, spec, &v);
  if (r == Raw::kAbsent) return out;
  if (r == Raw::kNull) {
    out.set = true;
    return out;
  }
  if (!(v.is_string() || v.is_int64() || v.is_uint64() || v.is_double())) {
    in.errors.Add(spec.name, "Not a valid string.");
    return out;
  }
  std::string s(PyStrip(PyStr(v)));
  size_t errors_before = in.errors.items().size();
  bool failed = false;
  if (spec.max_length && Utf8Length(s) > *spec.max_length) {
    in.errors.Add(spec.name,
                  "Ensure this field has no more than " + std::to_string(*spec.max_length) + " characters.");
    failed = true;
  }
  if (s.find('\0') != std::string::npos) {
    in.errors.Add(spec.name, "Null characters are not allowed.");
    failed = true;
  }
  if (kind == CharKind::kUrl && !ValidUrl(s)) {
    in.errors.Add(spec.name, "Enter a valid URL.");
    failed = true;
  }
  if (kind == CharKind::kSlug && !ValidSlug(s)) {
    in.errors.Add(spec.name,
                  "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.");
    failed = true;
  }
  (void)errors_before;
  if (failed) return out;
  out.set = true;
  out.value = std::move(s);
  return out;
}

FieldValue<bool> ReadBool(Input& in, const FieldSpec& spec) {
  FieldValue<bool> out;
  boost::json::value v;
  static const boost::json::value kFalse(false);
  Raw r = ReadRaw(in, spec, &v, &kFalse);
  if (r == Raw::kAbsent) return out;
  if (r == Raw::kNull) {
    out.set = true;
    return out;
  }
  auto in_set = [](std::string_view s, std::initializer_list<std::string_view> set) {
    for (auto x : set) {
      if (s == x) return true;
    }
    return false;
  };
  if (v.is_bool()) {
    out.set = true;
    out.value = v.as_bool();
    return out;
  }
  if (v.is_int64() || v.is_uint64() || v.is_double()) {
    double d = v.is_double() ? v.as_double() : v.is_int64() ? static_cast<double>(v.as_int64())
                                                             : static_cast<double>(v.as_uint64());
    if (d == 1 || d == 0) {
      out.set = true;
      out.value = d == 1;
      return out;
    }
  }
  if (v.is_string()) {
    std::string_view s = v.as_string();
    if (in_set(s, {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"})) {
      out.set = true;
      out.value = true;
      return out;
    }
    if (in_set(s, {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"})) {
      out.set = true;
      out.value = false;
      return out;
    }
    if (spec.allow_null && in_set(s, {"null", "Null", "NULL", ""})) {
      out.set = true;
      return out;
    }
  }
  in.errors.Add(spec.name, "Must be a valid boolean.");
  return out;
}

FieldValue<int64_t> ReadInt(Input& in, const FieldSpec& spec, std::optional<int64_t> min_value,
                            std::optional<int64_t> max_value) {
  FieldValue<int64_t> out;
  boost::json::value v;
  Raw r = ReadRaw(in, spec, &v);
  if (r == Raw::kAbsent) return out;
  if (r == Raw::kNull) {
    out.set = true;
    return out;
  }
  std::optional<int64_t> n;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64()) {
    n = v.as_uint64() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v.as_uint64());
  } else if (v.is_double()) {
    double d = v.as_double();
    if (d == std::floor(d) && std::fabs(d) < 9e18) n = static_cast<int64_t>(d);
  } else if (v.is_string()) {
    std::string s(v.as_string());
    if (s.size() > 1000) {
      in.errors.Add(spec.name, "String value too large.");
      return out;
    }
    // re_decimal: a trailing ".0*" followed by whitespace is dropped.
    size_t dot = s.rfind('.');
    if (dot != std::string::npos) {
      size_t i = dot + 1;
      while (i < s.size() && s[i] == '0') ++i;
      size_t j = i;
      while (j < s.size() && IsPySpace(static_cast<unsigned char>(s[j]))) ++j;
      if (j == s.size()) s.erase(dot);
    }
    std::string_view t = PyStrip(s);
    bool neg = false;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
      neg = t[0] == '-';
      t.remove_prefix(1);
    }
    if (IsDigits(t) && t.size() <= 18) n = (neg ? -1 : 1) * std::stoll(std::string(t));
  }
  if (!n) {
    in.errors.Add(spec.name, "A valid integer is required.");
    return out;
  }
  bool failed = false;
  if (max_value && *n > *max_value) {
    in.errors.Add(spec.name, "Ensure this value is less than or equal to " + std::to_string(*max_value) + ".");
    failed = true;
  }
  if (min_value && *n < *min_value) {
    in.errors.Add(spec.name, "Ensure this value is greater than or equal to " + std::to_string(*min_value) + ".");
    failed = true;
  }
  if (failed) return out;
  out.set = true;
  out.value = n;
  return out;
}

std::variant<int64_t, std::string> PkValue(const boost::json::value& v) {
  auto incorrect = [&](const char* type) {
    return std::string("Incorrect type. Expected pk value, received ") + type + ".";
  };
  switch (v.kind()) {
    case boost::json::kind::int64: return v.as_int64();
    case boost::json::kind::uint64:
      return v.as_uint64() > static_cast<uint64_t>(INT64_MAX) ? int64_t{-1} : static_cast<int64_t>(v.as_uint64());
    case boost::json::kind::double_: {
      double d = v.as_double();
      if (std::isnan(d) || std::isinf(d)) return incorrect("float");
      return static_cast<int64_t>(std::trunc(d));
    }
    case boost::json::kind::string: {
      std::string_view t = PyStrip(v.as_string());
      bool neg = false;
      if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        neg = t[0] == '-';
        t.remove_prefix(1);
      }
      if (!IsDigits(t)) return incorrect("str");
      if (t.size() > 18) return int64_t{-1};
      return (neg ? -1 : 1) * std::stoll(std::string(t));
    }
    default: return incorrect(RequestData::PyTypeName(v));
  }
}

}  // namespace pb::api
