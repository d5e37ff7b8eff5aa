#include "mail/gmime_init.h"

#include <gmime/gmime.h>

#include <mutex>

#ifdef PATCHBAY_LAZY_GOBJECT_INIT
// GObject's type system constructor, which the build turned into a plain
// function (cmake/lazy_gobject.sh): nothing may touch a GObject type before it.
extern "C" void pb_gobject_init_ctor(void);
#endif

namespace pb::mail {

void EnsureGMimeInit() {
  static std::once_flag once;
  std::call_once(once, [] {
#ifdef PATCHBAY_LAZY_GOBJECT_INIT
    pb_gobject_init_ctor();
#endif
    g_mime_init();
  });
}

}  // namespace pb::mail
