#include "db/read/embed_cache.h"

#include <algorithm>

namespace pb::db::read {
namespace {

// *rec (its id set) completed from `map`; false when not there.
template <typename Rec>
bool Complete(const std::unordered_map<Id, Rec>& map, Rec& rec) {
  auto it = map.find(rec.id);
  if (it == map.end()) return false;
  rec = it->second;
  return true;
}

template <typename Rec>
bool CompleteOptional(const std::unordered_map<Id, Rec>& map, std::optional<Rec>& rec) {
  return !rec || Complete(map, *rec);
}

template <typename Value>
bool HoldsAll(const std::unordered_map<Id, Value>& map, const std::vector<Id>& ids) {
  for (Id id : ids) {
    if (!map.count(id)) return false;
  }
  return true;
}

// set(row, value) for every row from the value kept under its id; false at
// the first row whose id is not kept (the rows are then partly set, and the
// caller reads them from the database instead).
template <typename Value, typename Row, typename Set>
bool FillEach(const std::unordered_map<Id, Value>& map, std::vector<Row>& rows, Set set) {
  for (auto& row : rows) {
    auto it = map.find(row.id);
    if (it == map.end()) return false;
    set(row, it->second);
  }
  return true;
}

}  // namespace

bool EmbedCache::Fill(int64_t generation, std::vector<PatchRec>& rows) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return false;
  for (auto& p : rows) {
    if (!Complete(store_.people, p.submitter) || !CompleteOptional(store_.users, p.delegate) ||
        !CompleteOptional(store_.series, p.series)) {
      return false;
    }
  }
  return true;
}

bool EmbedCache::Fill(int64_t generation, std::vector<CoverRec>& rows) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return false;
  for (auto& c : rows) {
    if (!Complete(store_.people, c.submitter)) return false;
  }
  return true;
}

bool EmbedCache::Fill(int64_t generation, std::vector<EventRec>& rows) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return false;
  for (auto& e : rows) {
    if (!CompleteOptional(store_.users, e.actor) ||
        !CompleteOptional(store_.users, e.previous_delegate) ||
        !CompleteOptional(store_.users, e.current_delegate) ||
        !CompleteOptional(store_.patches, e.patch) || !CompleteOptional(store_.series, e.series) ||
        !CompleteOptional(store_.covers, e.cover)) {
      return false;
    }
  }
  return true;
}

bool EmbedCache::At(int64_t generation) const {
  return generation >= 0 && store_.generation == generation;
}

template <typename Value, typename Row, typename Make>
void EmbedCache::KeepEach(std::unordered_map<Id, Value>& map, const std::vector<Row>& rows, Make make) {
  for (const auto& row : rows) {
    if (map.size() >= max_per_kind_) map.clear();
    map[row.id] = make(row);
  }
}

EmbedCache::Store* EmbedCache::StoreFor(int64_t generation) {
  if (generation < 0 || generation < store_.generation) return nullptr;
  if (generation > store_.generation) store_ = Store{generation, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  return &store_;
}

template <typename Rec>
void EmbedCache::Put(std::unordered_map<Id, Rec>& map, const Rec& rec) {
  if (map.size() >= max_per_kind_) map.clear();
  map[rec.id] = rec;
}

void EmbedCache::Keep(int64_t generation, const std::vector<PatchRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  for (const auto& p : rows) {
    PersonRec person = p.submitter;
    person.user.reset();  // a list row never carries it
    Put(s->people, person);
    if (p.delegate) Put(s->users, *p.delegate);
    if (p.series) Put(s->series, *p.series);
  }
}

void EmbedCache::Keep(int64_t generation, const std::vector<CoverRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  for (const auto& c : rows) {
    PersonRec person = c.submitter;
    person.user.reset();
    Put(s->people, person);
  }
}

void EmbedCache::Keep(int64_t generation, const std::vector<EventRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  for (const auto& e : rows) {
    for (const auto* u : {&e.actor, &e.previous_delegate, &e.current_delegate}) {
      if (*u) Put(s->users, **u);
    }
    if (e.patch) Put(s->patches, *e.patch);
    if (e.series) Put(s->series, *e.series);
    if (e.cover) Put(s->covers, *e.cover);
  }
}

bool EmbedCache::KeepsCheckStates(int64_t generation, const std::vector<Id>& ids) const {
  std::lock_guard lock(mu_);
  return At(generation) && HoldsAll(store_.check_states, ids);
}

bool EmbedCache::FillCheckStates(int64_t generation, std::vector<PatchRec>& rows) const {
  std::lock_guard lock(mu_);
  return At(generation) &&
         FillEach(store_.check_states, rows,
                  [](PatchRec& p, const std::string& state) { p.check_state = state; });
}

void EmbedCache::KeepCheckStates(int64_t generation, const std::vector<PatchRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  KeepEach(s->check_states, rows, [](const PatchRec& p) { return p.check_state; });
}

bool EmbedCache::PatchRefs(const Store& s, const std::vector<Id>& ids, std::vector<PatchRef>* out) {
  for (Id id : ids) {
    auto it = s.patches.find(id);
    if (it == s.patches.end()) return false;
    if (out) out->push_back(it->second);
  }
  return true;
}

bool EmbedCache::KeepsSeriesPatches(int64_t generation, Id series) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return false;
  auto it = store_.series_patches.find(series);
  return it != store_.series_patches.end() && PatchRefs(store_, it->second, nullptr);
}

bool EmbedCache::FillSeriesPatches(int64_t generation, SeriesRec& s) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return false;
  auto it = store_.series_patches.find(s.id);
  if (it == store_.series_patches.end()) return false;
  std::vector<PatchRef> refs;
  refs.reserve(it->second.size());
  if (!PatchRefs(store_, it->second, &refs)) return false;
  s.patches = std::move(refs);
  return true;
}

void EmbedCache::KeepSeriesPatches(int64_t generation, const SeriesRec& s) {
  std::lock_guard lock(mu_);
  Store* store = StoreFor(generation);
  if (!store) return;
  std::vector<Id> ids;
  ids.reserve(s.patches.size());
  for (const auto& p : s.patches) {
    Put(store->patches, p);
    ids.push_back(p.id);
  }
  if (store->series_patches.size() >= max_per_kind_) store->series_patches.clear();
  store->series_patches[s.id] = std::move(ids);
}

bool EmbedCache::KeepsCoverSeries(int64_t generation, const std::vector<Id>& covers) const {
  std::lock_guard lock(mu_);
  return At(generation) && HoldsAll(store_.cover_series, covers);
}

bool EmbedCache::FillCoverSeries(int64_t generation, std::vector<CoverRec>& rows) const {
  std::lock_guard lock(mu_);
  return At(generation) &&
         FillEach(store_.cover_series, rows,
                  [](CoverRec& c, const std::optional<SeriesRef>& series) { c.series = series; });
}

void EmbedCache::KeepCoverSeries(int64_t generation, const std::vector<CoverRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  KeepEach(s->cover_series, rows, [](const CoverRec& c) { return c.series; });
}

bool EmbedCache::KeepsEventLinks(int64_t generation, const std::vector<Id>& events) const {
  std::lock_guard lock(mu_);
  return At(generation) && HoldsAll(store_.event_links, events);
}

bool EmbedCache::FillEventLinks(int64_t generation, std::vector<EventRec>& rows) const {
  std::lock_guard lock(mu_);
  return At(generation) && FillEach(store_.event_links, rows, [](EventRec& e, const EventLinks& l) {
           e.check = l.check;
           e.cover_comment = l.cover_comment;
           e.patch_comment = l.patch_comment;
         });
}

void EmbedCache::KeepEventLinks(int64_t generation, const std::vector<EventRec>& rows) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  KeepEach(s->event_links, rows, [](const EventRec& e) {
    return EventLinks{e.check, e.cover_comment, e.patch_comment};
  });
}

std::optional<std::vector<Id>> EmbedCache::PageIds(int64_t generation, const std::string& page) const {
  std::lock_guard lock(mu_);
  if (!At(generation)) return std::nullopt;
  auto it = store_.page_ids.find(page);
  if (it == store_.page_ids.end()) return std::nullopt;
  return it->second;
}

void EmbedCache::KeepPageIds(int64_t generation, const std::string& page, std::vector<Id> ids) {
  std::lock_guard lock(mu_);
  Store* s = StoreFor(generation);
  if (!s) return;
  // An entry is its key's text (~0.5 KB) and a page of ids, some 1 KB:
  // a sixteenth of the other kinds' bound keeps it to a few MB.
  if (s->page_ids.size() >= std::max<size_t>(1, max_per_kind_ / 16)) s->page_ids.clear();
  s->page_ids[page] = std::move(ids);
}

}  // namespace pb::db::read
