// GMime must be initialised once per process before any of its functions run.
// In the static build this also starts GObject's type system, which no longer
// runs before main(): call it before any GLib object or type function.
#pragma once

namespace pb::mail {

// Thread-safe; cheap after the first call.
void EnsureGMimeInit();

}  // namespace pb::mail
