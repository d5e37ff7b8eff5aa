// A per-thread snapshot of the small, rarely written tables (projects with
// their maintainers, states). It is reloaded whenever data_generation moves,
// which every writer bumps in the same transaction as its change, so a
// snapshot is never staler than the generation read for the request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/generation_cache.h"
#include "core/strings.h"
#include "db/connection.h"
#include "db/read/rows.h"

namespace pb::db::read {

// The current value of data_generation (one cheap statement).
int64_t ReadGeneration(Connection& c);

class Catalog {
 public:
  // Reloads from `c` unless already at `generation`.
  void Refresh(Connection& c, int64_t generation);
  int64_t generation() const { return generation_; }

  const std::vector<ProjectRec>& projects() const { return projects_; }  // by id
  const ProjectRec* Project(Id id) const;
  const ProjectRec* ProjectByLinkname(std::string_view linkname) const;  // exact
  const ProjectRec* ProjectByLinknameNoCase(std::string_view linkname) const;  // ASCII iexact

  const std::vector<StateRec>& states() const { return states_; }  // by ordering
  const StateRec* State(Id id) const;
  const StateRec* StateByNameNoCase(std::string_view name) const;

 private:
  int64_t generation_ = -1;
  std::vector<ProjectRec> projects_;
  std::unordered_map<Id, size_t> project_index_;
  std::vector<StateRec> states_;
  std::unordered_map<Id, size_t> state_index_;
};

// Cached COUNT(*) results, keyed by query text + arguments, valid for one
// generation. Counting 100k rows costs milliseconds; a page should not.
// Copies share one store (thread-safe), so after a write one server thread
// counts again, not each of them.
class CountCache {
 public:
  bool Get(const std::string& key, int64_t generation, int64_t* count) const;
  void Put(const std::string& key, int64_t generation, int64_t count);

 private:
  // Bounded: arbitrary filter combinations must not grow memory forever.
  std::shared_ptr<GenerationCache<int64_t>> store_ =
      std::make_shared<GenerationCache<int64_t>>(4096);
};

}  // namespace pb::db::read
