#include "db/read/detail_batch.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>

namespace pb::db::read {
namespace {

// Statements by the number of ids they read: 1, 2, 3-4, 5-8, 9-16, 17-32.
std::array<std::atomic<uint64_t>, 6> batch_sizes{};
std::atomic<uint64_t> batch_ids{0};

void CountBatch(size_t n) {
  batch_ids.fetch_add(n, std::memory_order_relaxed);
  size_t bucket = 0;
  while (bucket + 1 < batch_sizes.size() && n > (size_t{1} << bucket)) ++bucket;
  batch_sizes[bucket].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

void DetailBatch::Add(Id id) {
  Entry& e = entries_[id];
  ++e.requests;
  if (e.queued) return;
  // A row read before this request arrived is not for it: read it again,
  // for every request of this id still waiting.
  e.read = false;
  e.row = {};
  e.queued = true;
  pending_.push_back(id);
}

void DetailBatch::ReadPending(Connection& c, Id first) {
  std::vector<Id> ids;
  ids.reserve(std::min(pending_.size() + 1, kMaxIds));
  ids.push_back(first);
  for (Id id : pending_) {
    if (ids.size() == kMaxIds) break;
    if (id != first) ids.push_back(id);
  }
  // A failed read leaves every id pending, for the next Take (a retry).
  auto rows = GetPatchesAlone(c, ids);
  CountBatch(ids.size());
  for (Id id : ids) {
    Entry& e = entries_[id];
    e.queued = false;
    e.read = true;
    if (auto it = rows.find(id); it != rows.end()) e.row = std::move(it->second);
  }
  if (ids.size() == pending_.size()) {
    pending_.clear();
  } else {
    std::erase_if(pending_, [this](Id id) { return entries_[id].read; });
  }
}

PatchAlone DetailBatch::Take(Connection& c, Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return GetPatchAlone(c, id);
  if (!it->second.read && it->second.requests == 1 && pending_.size() == 1) {
    // Alone in its batch (no load): GetPatchAlone's row as it comes, with
    // nothing kept.
    entries_.erase(it);
    pending_.clear();
    PatchAlone row = GetPatchAlone(c, id);
    CountBatch(1);
    return row;
  }
  if (!it->second.read) {
    ReadPending(c, id);
    it = entries_.find(id);
  }
  Entry& e = it->second;
  if (e.requests <= 1) {
    PatchAlone row = std::move(e.row);
    entries_.erase(it);
    return row;
  }
  --e.requests;
  return e.row;
}

void DetailBatch::Drop(Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (--it->second.requests > 0) return;
  if (it->second.queued) std::erase(pending_, id);
  entries_.erase(it);
}

std::string DetailBatchSummary() {
  static constexpr const char* kNames[] = {"1", "2", "3-4", "5-8", "9-16", "17-32"};
  std::string s;
  uint64_t statements = 0;
  for (size_t i = 0; i < batch_sizes.size(); ++i) {
    uint64_t n = batch_sizes[i].load(std::memory_order_relaxed);
    statements += n;
    if (!n) continue;
    if (!s.empty()) s += ", ";
    s += kNames[i];
    s += ": ";
    s += std::to_string(n);
  }
  if (!statements) return "";
  uint64_t ids = batch_ids.load(std::memory_order_relaxed);
  char mean[32];
  std::snprintf(mean, sizeof mean, "%.2f", static_cast<double>(ids) / static_cast<double>(statements));
  return "patch details: " + std::to_string(ids) + " read by " + std::to_string(statements) +
         " statements (" + mean + " per statement; statements by ids read: " + s + ")";
}

}  // namespace pb::db::read
