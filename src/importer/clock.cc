#include "importer/clock.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace pb::importer {

Result<Clocks> Clocks::Make(const std::string& time_zone, bool server_clock_local) {
  // glibc silently treats an unknown zone as UTC: check it exists.
  if (time_zone.empty() || time_zone.find("..") != std::string::npos ||
      !std::filesystem::exists("/usr/share/zoneinfo/" + time_zone)) {
    return Status::Invalid("unknown time zone '" + time_zone +
                           "' (upstream's TIME_ZONE setting; is tzdata installed?)");
  }
  setenv("TZ", time_zone.c_str(), 1);
  tzset();
  Clocks c;
  c.server_clock_local_ = server_clock_local;
  return c;
}

std::optional<Micros> Clocks::FromUtc(std::string_view naive) const {
  return ParseIsoDate(naive);
}

std::optional<Micros> Clocks::FromLocal(std::string_view naive) const {
  auto as_utc = ParseIsoDate(naive);
  if (!as_utc) return std::nullopt;
  Civil c = CivilFromMicros(*as_utc);
  std::tm tm{};
  tm.tm_year = c.year - 1900;
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = c.hour;
  tm.tm_min = c.minute;
  tm.tm_sec = c.second;
  tm.tm_isdst = -1;  // let the zone's rules decide (an ambiguous hour takes one)
  time_t t = mktime(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<Micros>(t) * 1000000 + c.micro;
}

}  // namespace pb::importer
