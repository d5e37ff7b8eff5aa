#include "mail/gmime_init.h"

#include <gmime/gmime.h>

#include <mutex>

namespace pb::mail {

void EnsureGMimeInit() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace pb::mail
