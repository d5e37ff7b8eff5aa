#include "db/read/embed_cache.h"

namespace pb::db::read {

bool EmbedCache::Fill(int64_t generation, std::vector<PatchRec>& rows) const {
  std::lock_guard lock(mu_);
  if (generation < 0 || store_.generation != generation) return false;
  for (auto& p : rows) {
    auto person = store_.people.find(p.submitter.id);
    if (person == store_.people.end()) return false;
    p.submitter = person->second;
    if (p.delegate) {
      auto user = store_.users.find(p.delegate->id);
      if (user == store_.users.end()) return false;
      p.delegate = user->second;
    }
    if (p.series) {
      auto series = store_.series.find(p.series->id);
      if (series == store_.series.end()) return false;
      p.series = series->second;
    }
  }
  return true;
}

void EmbedCache::Keep(int64_t generation, const std::vector<PatchRec>& rows) {
  std::lock_guard lock(mu_);
  if (generation < 0 || generation < store_.generation) return;
  if (generation > store_.generation) store_ = Store{generation, {}, {}, {}};
  auto bounded = [this](auto& map) {
    if (map.size() >= max_per_kind_) map.clear();
  };
  for (const auto& p : rows) {
    bounded(store_.people);
    PersonRec& person = store_.people[p.submitter.id];
    person = p.submitter;
    person.user.reset();  // a list row never carries it
    if (p.delegate) {
      bounded(store_.users);
      store_.users[p.delegate->id] = *p.delegate;
    }
    if (p.series) {
      bounded(store_.series);
      store_.series[p.series->id] = *p.series;
    }
  }
}

}  // namespace pb::db::read
