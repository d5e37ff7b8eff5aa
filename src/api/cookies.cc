#include "api/cookies.h"

#include <cstdio>

namespace pb::api {
namespace {

std::string_view Strip(std::string_view s) {
  // str.strip(): ASCII whitespace
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// http.cookies._unquote: a value in double quotes loses them, and its
// backslash escapes (\" \\ and octal \ooo) are resolved.
std::string Unquote(std::string_view v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  v = v.substr(1, v.size() - 2);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\' || i + 1 == v.size()) {
      out += v[i];
      continue;
    }
    auto octal = [](char c) { return c >= '0' && c <= '3'; };
    auto digit = [](char c) { return c >= '0' && c <= '7'; };
    if (i + 3 < v.size() && octal(v[i + 1]) && digit(v[i + 2]) && digit(v[i + 3])) {
      out += static_cast<char>((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 + (v[i + 3] - '0'));
      i += 3;
    } else {
      out += v[i + 1];
      ++i;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> FindCookie(std::string_view header, std::string_view name) {
  std::optional<std::string> found;
  while (true) {
    size_t semi = header.find(';');
    std::string_view chunk = header.substr(0, semi);
    size_t eq = chunk.find('=');
    // A chunk without '=' is a value with an empty name (Django follows
    // Mozilla there), so it can never be the cookie asked for.
    if (eq != std::string_view::npos && Strip(chunk.substr(0, eq)) == name) {
      found = Unquote(Strip(chunk.substr(eq + 1)));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return found;
}

std::string HttpDate(Micros t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c = CivilFromMicros(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[c.weekday], c.day,
                kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return buf;
}

std::string SetCookieValue(std::string_view name, std::string_view value, int64_t max_age_seconds,
                           bool http_only, Micros now) {
  // Python's Morsel writes the attributes sorted by name.
  std::string out(name);
  out += '=';
  out += value;
  out += "; expires=" + HttpDate(now + max_age_seconds * 1000000);
  if (http_only) out += "; HttpOnly";
  out += "; Max-Age=" + std::to_string(max_age_seconds);
  out += "; Path=/; SameSite=Lax";
  return out;
}

std::string DeleteCookieValue(std::string_view name) {
  std::string out(name);
  out += "=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax";
  return out;
}

void MarkCookiesSecure(http::Response& r) {
  for (auto& [name, value] : r.headers) {
    if (name == "Set-Cookie") value += "; Secure";
  }
}

}  // namespace pb::api
