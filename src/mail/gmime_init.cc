#include "mail/gmime_init.h"

#include <gmime/gmime.h>

#include <mutex>

#ifdef PATCHBAY_LAZY_GOBJECT_INIT
// GLib's and GObject's constructors, which the build turned into plain
// functions (cmake/lazy_constructor.sh): nothing may make a quark, a GError
// or a GObject type before them, and GObject's needs GLib's.
extern "C" void pb_glib_init_ctor(void);
extern "C" void pb_gobject_init_ctor(void);
#endif

namespace pb::mail {

void EnsureGMimeInit() {
  static std::once_flag once;
  std::call_once(once, [] {
#ifdef PATCHBAY_LAZY_GOBJECT_INIT
    pb_glib_init_ctor();
    pb_gobject_init_ctor();
#endif
    g_mime_init();
  });
}

}  // namespace pb::mail
