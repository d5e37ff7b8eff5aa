#include "db/read/catalog.h"

namespace pb::db::read {

int64_t ReadGeneration(Connection& c) {
  return QueryInt(c, "SELECT generation FROM data_generation WHERE id = 1").value_or(0);
}



void Catalog::Refresh(Connection& c, int64_t generation) {
  if (generation == generation_) return;
  projects_.clear();
  project_index_.clear();
  {
    Query q(c,
            "SELECT id, linkname, name, listid, listemail, subject_match, web_url, scm_url, "
            "webscm_url, list_archive_url, list_archive_url_format, commit_url_format, "
            "show_dependencies FROM projects ORDER BY id");
    while (q.Next()) {
      ProjectRec p;
      p.id = q.Int(0);
      p.linkname = q.Str(1);
      p.name = q.Str(2);
      p.listid = q.Str(3);
      p.listemail = q.Str(4);
      p.subject_match = q.Str(5);
      p.web_url = q.Str(6);
      p.scm_url = q.Str(7);
      p.webscm_url = q.Str(8);
      p.list_archive_url = q.Str(9);
      p.list_archive_url_format = q.Str(10);
      p.commit_url_format = q.Str(11);
      p.show_dependencies = q.Int(12) != 0;
      project_index_[p.id] = projects_.size();
      projects_.push_back(std::move(p));
    }
  }
  {
    Query q(c,
            "SELECT m.project_id, u.id, u.username, u.first_name, u.last_name, u.email "
            "FROM project_maintainers m JOIN users u ON u.id = m.user_id "
            "ORDER BY m.project_id, u.id");
    while (q.Next()) {
      auto it = project_index_.find(q.Int(0));
      if (it == project_index_.end()) continue;
      projects_[it->second].maintainers.push_back(
          UserRec{q.Int(1), q.Str(2), q.Str(3), q.Str(4), q.Str(5)});
    }
  }
  states_.clear();
  state_index_.clear();
  {
    Query q(c, "SELECT id, name, slug, ordering, action_required FROM states ORDER BY ordering");
    while (q.Next()) {
      state_index_[q.Int(0)] = states_.size();
      states_.push_back(StateRec{q.Int(0), q.Str(1), q.Str(2), static_cast<int>(q.Int(3)),
                                 q.Int(4) != 0});
    }
  }
  generation_ = generation;
}

const ProjectRec* Catalog::Project(Id id) const {
  auto it = project_index_.find(id);
  return it == project_index_.end() ? nullptr : &projects_[it->second];
}

const ProjectRec* Catalog::ProjectByLinkname(std::string_view linkname) const {
  for (const auto& p : projects_) {
    if (p.linkname == linkname) return &p;
  }
  return nullptr;
}

const ProjectRec* Catalog::ProjectByLinknameNoCase(std::string_view linkname) const {
  for (const auto& p : projects_) {
    if (EqualsNoCase(p.linkname, linkname)) return &p;
  }
  return nullptr;
}

const StateRec* Catalog::State(Id id) const {
  auto it = state_index_.find(id);
  return it == state_index_.end() ? nullptr : &states_[it->second];
}

const StateRec* Catalog::StateByNameNoCase(std::string_view name) const {
  for (const auto& s : states_) {
    if (EqualsNoCase(s.name, name)) return &s;
  }
  return nullptr;
}

bool CountCache::Get(const std::string& key, int64_t generation, int64_t* count) const {
  std::shared_ptr<const int64_t> n;
  if (!store_->Lookup(key, generation, &n) || !n) return false;
  *count = *n;
  return true;
}

void CountCache::Put(const std::string& key, int64_t generation, int64_t count) {
  store_->Put(key, generation, std::make_shared<const int64_t>(count), 1);
}

}  // namespace pb::db::read
