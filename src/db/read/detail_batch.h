// Concurrent patch details of one serve thread read by one statement
// (PostgreSQL). A thread's requests that arrive together each Add their id
// before any is answered (http::Response::defer runs them after the other
// ready connections' handlers); the first to Take reads every id added so
// far with GetPatchesAlone, and the others find their row already read.
// On this VM the wait for the backend (a sleep and a wake-up on both sides
// of the socket) is the largest single cost of a small request, and one
// statement for several details pays it once (docs/performance.md §9x).
//
// Exactness: every row is read after its request arrived (an id is read
// only once added, and the read happens when the first of its batch is
// answered), in one statement that is its own snapshot with the generation
// in it, so each request gets what GetPatchAlone would have read for it at
// some moment between its arrival and its answer; Context::ReadAlone then
// decides, per request, whether that answer stands, as it does for a lone
// read. A row read for a request is never given to a request added after
// the read: adding an id drops a read row of it that nobody took yet.
//
// One object per serve thread (api::ThreadState); not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/connection.h"
#include "db/read/patches_read.h"

namespace pb::db::read {

class DetailBatch {
 public:
  // At most this many ids per statement; the rest wait for the next Take.
  static constexpr size_t kMaxIds = 32;

  // A request for patch `id` will Take (or Drop) it.
  void Add(Id id);
  // GetPatchAlone(c, id) for a request that added `id`: from the batch's
  // statement, run now when `id` was not read yet. An id not added (or
  // already taken by as many requests as added it) is read alone.
  PatchAlone Take(Connection& c, Id id);
  // A request that added `id` and will not Take it (an error answered
  // before the read, a snapshot read instead).
  void Drop(Id id);

  size_t waiting() const { return entries_.size(); }

 private:
  struct Entry {
    int requests = 0;     // added and not yet taken or dropped
    bool queued = false;  // in pending_: to be read by the next statement
    bool read = false;    // `row` holds the statement's answer
    PatchAlone row;
  };
  void ReadPending(Connection& c, Id first);

  std::unordered_map<Id, Entry> entries_;
  std::vector<Id> pending_;  // added, not read, in the order added
};

// Batch sizes over the process (all threads): how many ids each statement
// read, for `patchbay serve`'s summary on shutdown. Empty when none ran.
std::string DetailBatchSummary();

}  // namespace pb::db::read
