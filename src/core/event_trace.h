// Stage timestamps of the event stream, for bench/sse_bench.py (issue #14).
//
// When the environment names a file in PATCHBAY_EVENT_TRACE, the writers
// note each commit that may have made events ("commit <ns> <max event id>")
// and the event hub each round it delivers ("round ..." with the times it
// woke, read the events and had queued them to every client). Every note is
// one write() with O_APPEND, so notes of several processes don't mix.
// Times are CLOCK_REALTIME nanoseconds, comparable across processes and with
// the bench's reader. Off (the default), a note costs one predictable branch.
#pragma once

#include <cstdint>
#include <string_view>

namespace pb::trace {

// True when PATCHBAY_EVENT_TRACE names a file that could be opened.
bool On();
// Appends one line ("\n" added). Nothing when off.
void Note(std::string_view line);
// CLOCK_REALTIME, nanoseconds since the epoch.
int64_t WallNs();
// The calling thread's CPU time so far, nanoseconds: a stage's own cost,
// whatever the machine's load made its wall time.
int64_t ThreadCpuNs();

}  // namespace pb::trace
