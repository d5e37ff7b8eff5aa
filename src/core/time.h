// Timestamps are stored everywhere as microseconds since the Unix epoch, UTC,
// in a 64-bit integer: it sorts and compares the same in SQLite and PostgreSQL.
// Upstream Patchwork mixes UTC (mail dates) with server-local time ("now");
// patchbay uses UTC for both (see docs/compatibility.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pb {

using Micros = int64_t;

Micros NowMicros();

// "2023-08-01T17:10:01" or "2026-11-24T05:40:11.806641" (fraction only when
// non-zero), as Django REST Framework renders naive datetimes.
std::string FormatIsoDate(Micros t);

// Accepts what Django's datetime parsing accepts for filters: "YYYY-MM-DD",
// "YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]" with an optional "Z" or "+HH:MM" offset
// (an offset converts to UTC). nullopt when unparseable.
std::optional<Micros> ParseIsoDate(std::string_view text);

// Civil UTC fields to micros; nullopt when out of range (year outside 1..9999).
std::optional<Micros> MicrosFromCivil(int64_t year, int month, int day, int hour, int minute,
                                      int second, int64_t micro = 0);

struct Civil {
  int year, month, day, hour, minute, second, micro;
  int weekday;  // 0 = Sunday
};
Civil CivilFromMicros(Micros t);

}  // namespace pb
