// Upstream Patchwork's timestamps are naive (USE_TZ = False) and come from
// two clocks: dates parsed from mails are UTC, Django's own timezone.now()
// (users' date_joined/last_login, token creation) is local time in the
// server's TIME_ZONE. Patchwork's own "now" (event, check, confirmation and
// notification dates) was datetime.utcnow() up to v3.1 and timezone.now(),
// local, from v3.2 on. patchbay stores UTC microseconds for all of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace pb::importer {

class Clocks {
 public:
  // time_zone: upstream's TIME_ZONE (default 'Australia/Canberra');
  // server_clock_local: the source was written by Patchwork v3.2 or later.
  // Sets the process's TZ: the import command owns its process.
  static Result<Clocks> Make(const std::string& time_zone, bool server_clock_local);

  // Naive "YYYY-MM-DD HH:MM:SS[.ffffff]" to UTC micros; nullopt if unparseable.
  std::optional<Micros> FromUtc(std::string_view naive) const;
  std::optional<Micros> FromLocal(std::string_view naive) const;
  std::optional<Micros> FromServer(std::string_view naive) const {
    return server_clock_local_ ? FromLocal(naive) : FromUtc(naive);
  }

 private:
  bool server_clock_local_ = false;
};

}  // namespace pb::importer
