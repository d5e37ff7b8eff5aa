#include "parser/date.h"

#include <string>
#include <vector>

#include "mail/text.h"

namespace pb::parser {
namespace {

using i128 = __int128;

// str.split() on whitespace.
std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0, start = 0;
  bool in_word = false;
  while (i < s.size()) {
    size_t at = i;
    char32_t cp = mail::NextCodePoint(s, i);
    if (mail::IsPySpace(cp)) {
      if (in_word) out.emplace_back(s.substr(start, at - start));
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      start = at;
    }
  }
  if (in_word) out.emplace_back(s.substr(start));
  return out;
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    if (p == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

// Python int(): optional sign, ASCII digits with single underscores between
// them. Values beyond ~1e30 saturate, which only ever makes them "out of range".
std::optional<i128> PyInt(const std::string& s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  if (i >= s.size()) return std::nullopt;
  i128 v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (v < (i128)1 << 100) v = v * 10 + (c - '0');
      prev_digit = true;
    } else if (c == '_' && prev_digit && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      prev_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!prev_digit) return std::nullopt;
  return neg ? -v : v;
}

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                               "nov", "dec", "january", "february", "march", "april", "may", "june",
                               "july", "august", "september", "october", "november", "december"};
const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int MonthIndex(const std::string& m) {
  for (int i = 0; i < 24; ++i) {
    if (m == kMonths[i]) return i;
  }
  return -1;
}

i128 DaysFromCivil(i128 y, int m, int d) {
  y -= m <= 2;
  i128 era = (y >= 0 ? y : y - 399) / 400;
  i128 yoe = y - era * 400;
  i128 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  i128 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// _parsedate_tz's end once its fields are numbers (`offset` as written,
// -0700 being -700), then calendar.timegm.
std::optional<Micros> FromFields(i128 year, int month, i128 d, i128 h, i128 mn, i128 sec, i128 offset) {
  if (year < 100) year += year > 68 ? 1900 : 2000;
  if (offset) {
    i128 sign = offset < 0 ? -1 : 1;
    i128 a = offset < 0 ? -offset : offset;
    offset = sign * ((a / 100) * 3600 + (a % 100) * 60);
  }
  // calendar.timegm: date(year, month, 1) must exist; the rest is arithmetic.
  if (year < 1 || year > 9999) return std::nullopt;
  const i128 lim = (i128)1 << 80;
  if (d > lim || d < -lim || h > lim || h < -lim || mn > lim || mn < -lim || sec > lim || sec < -lim) {
    return std::nullopt;
  }
  i128 days = DaysFromCivil(year, month, 1) + d - 1;
  i128 t = ((days * 24 + h) * 60 + mn) * 60 + sec - offset;
  // datetime.fromtimestamp(t, utc) must land in years 1..9999.
  const i128 min_t = DaysFromCivil(1, 1, 1) * 86400;
  const i128 max_t = DaysFromCivil(9999, 12, 31) * 86400 + 86399;
  if (t < min_t || t > max_t) return std::nullopt;
  return static_cast<Micros>(t) * 1000000;
}

// Digits only, 1 to `max` of them: what PyInt reads as the same number.
std::optional<int> Digits(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Nearly every mail's date is "Mon, 2 Jan 2006 15:04:05 -0700", perhaps
// with a comment after it, and the general path spent ~7,000 instructions
// and a dozen strings on each (docs/performance.md, "parsearchive, round
// 12"). Such a value is read here without them, and only one that the
// general path reads the same way: printable ASCII (so str.split() splits
// at spaces only), a first word that ends in ',' (dropped), then at least
// five words, of which the first five are a day of digits, a month name, a
// year of digits, h:m:s of digits and a numeric zone; the rest is ignored
// there too. Anything else, nullopt: the general path decides.
std::optional<std::optional<Micros>> ParseCommonForm(std::string_view s) {
  std::string_view words[6];
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e) return std::nullopt;
    if (c == ' ') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && s[end] != ' ') {
      const unsigned char e = static_cast<unsigned char>(s[end]);
      if (e < 0x20 || e > 0x7e) return std::nullopt;
      ++end;
    }
    if (n < 6) words[n] = s.substr(i, end - i);
    ++n;
    i = end;
  }
  if (n < 6 || words[0].back() != ',') return std::nullopt;
  auto day = Digits(words[1], 2), year = Digits(words[3], 4);
  if (!day || !year) return std::nullopt;
  if (words[2].size() > 9) return std::nullopt;
  int mi = MonthIndex(mail::AsciiLowerCopy(words[2]));
  if (mi < 0) return std::nullopt;
  const std::string_view tm = words[4];
  const size_t c1 = tm.find(':'), c2 = c1 == std::string_view::npos ? c1 : tm.find(':', c1 + 1);
  if (c2 == std::string_view::npos || tm.find(':', c2 + 1) != std::string_view::npos) return std::nullopt;
  auto h = Digits(tm.substr(0, c1), 2), mn = Digits(tm.substr(c1 + 1, c2 - c1 - 1), 2),
       sec = Digits(tm.substr(c2 + 1), 2);
  const std::string_view tz = words[5];
  if (!h || !mn || !sec || tz.size() != 5 || (tz[0] != '+' && tz[0] != '-')) return std::nullopt;
  auto zone = Digits(tz.substr(1), 4);
  if (!zone) return std::nullopt;
  int month = mi + 1;
  if (month > 12) month -= 12;
  return FromFields(*year, month, *day, *h, *mn, *sec, tz[0] == '-' ? -*zone : *zone);
}

}  // namespace

namespace detail {

std::optional<Micros> ParseMailDateGeneral(std::string_view cleaned) {
  // email._parseaddr._parsedate_tz
  std::vector<std::string> data = Split(cleaned);
  if (data.empty()) return std::nullopt;
  std::string first = mail::AsciiLowerCopy(data[0]);
  bool is_day = false;
  for (const char* d : kDays) is_day |= first == d;
  if (data[0].back() == ',' || is_day) {
    data.erase(data.begin());
  } else {
    size_t i = data[0].rfind(',');
    if (i != std::string::npos) data[0] = data[0].substr(i + 1);
  }
  if (data.size() == 3) {
    auto stuff = SplitOn(data[0], '-');
    if (stuff.size() == 3) {
      stuff.insert(stuff.end(), data.begin() + 1, data.end());
      data = stuff;
    }
  }
  if (data.size() == 4) {
    std::string s = data[3];
    size_t i = s.find('+');
    if (i == std::string::npos) i = s.find('-');
    if (i != std::string::npos && i > 0) {
      data[3] = s.substr(0, i);
      data.push_back(s.substr(i));
    } else {
      data.emplace_back("");
    }
  }
  if (data.size() < 5) return std::nullopt;
  data.resize(5);
  std::string dd = data[0], mm = data[1], yy = data[2], tm = data[3], tz = data[4];
  if (dd.empty() || mm.empty() || yy.empty()) return std::nullopt;
  mm = mail::AsciiLowerCopy(mm);
  int mi = MonthIndex(mm);
  if (mi < 0) {
    std::string t = mail::AsciiLowerCopy(dd);
    dd = mm;
    mm = t;
    mi = MonthIndex(mm);
    if (mi < 0) return std::nullopt;
  }
  int month = mi + 1;
  if (month > 12) month -= 12;
  if (dd.back() == ',') dd.pop_back();
  size_t colon = yy.find(':');
  if (colon != std::string::npos && colon > 0) std::swap(yy, tm);
  if (yy.back() == ',') {
    yy.pop_back();
    if (yy.empty()) return std::nullopt;
  }
  if (!(yy[0] >= '0' && yy[0] <= '9')) std::swap(yy, tz);
  if (!tm.empty() && tm.back() == ',') tm.pop_back();
  // Note: Python indexes tm[-1] and would raise on an empty tm; an empty
  // time can only come from the dummy zone, which then has no ':' anyway.
  auto parts = SplitOn(tm, ':');
  std::string thh, tmm, tss;
  if (parts.size() == 2) {
    thh = parts[0];
    tmm = parts[1];
    tss.assign(1, '0');
  } else if (parts.size() == 3) {
    thh = parts[0];
    tmm = parts[1];
    tss = parts[2];
  } else if (parts.size() == 1 && tm.find('.') != std::string::npos) {
    auto dots = SplitOn(tm, '.');
    if (dots.size() == 2) {
      thh = dots[0];
      tmm = dots[1];
      tss.assign(1, '0');
    } else if (dots.size() == 3) {
      thh = dots[0];
      tmm = dots[1];
      tss = dots[2];
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  auto y = PyInt(yy), d = PyInt(dd), h = PyInt(thh), mn = PyInt(tmm), sec = PyInt(tss);
  if (!y || !d || !h || !mn || !sec) return std::nullopt;
  i128 offset = 0;
  std::string tzu = tz;
  for (auto& c : tzu) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  static const std::pair<const char*, int> kZones[] = {
      {"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"AST", -400}, {"ADT", -300},
      {"EST", -500}, {"EDT", -400}, {"CST", -600}, {"CDT", -500}, {"MST", -700}, {"MDT", -600},
      {"PST", -800}, {"PDT", -700}};
  bool named = false;
  for (const auto& [n, v] : kZones) {
    if (tzu == n) {
      offset = v;
      named = true;
    }
  }
  if (!named) {
    if (auto v = PyInt(tzu)) offset = *v;
  }
  return FromFields(*y, month, *d, *h, *mn, *sec, offset);
}

}  // namespace detail

std::optional<Micros> ParseMailDate(std::string_view cleaned) {
  if (auto common = ParseCommonForm(cleaned)) return *common;
  return detail::ParseMailDateGeneral(cleaned);
}

}  // namespace pb::parser
