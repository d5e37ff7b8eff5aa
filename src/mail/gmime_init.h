// GMime must be initialised once per process before any of its functions run.
// In the static build this also starts GLib (its quark table, the flags it
// reads from the environment) and GObject's type system, which no longer run
// before main(): call it before any GLib function that makes a quark, a
// GError, an object or a type.
#pragma once

namespace pb::mail {

// Thread-safe; cheap after the first call.
void EnsureGMimeInit();

}  // namespace pb::mail
