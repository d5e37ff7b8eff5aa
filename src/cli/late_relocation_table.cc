// cmake/late_relocation.py's answer to cli/late_relocation.cc: the RELR
// table's link-time address, its size in bytes, and how many of its bytes
// the loader still applies. All zero in a binary it did not prepare. In a
// file of its own so that the reader cannot fold the zeros it would see.
#include <cstdint>

extern "C" {
[[gnu::used, gnu::visibility("hidden")]] extern const std::uint64_t pb_late_relr[3] = {0, 0, 0};
}
