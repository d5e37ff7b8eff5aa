// GMime must be initialised once per process before any of its functions run.
#pragma once

namespace pb::mail {

// Thread-safe; cheap after the first call.
void EnsureGMimeInit();

}  // namespace pb::mail
