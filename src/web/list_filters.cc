#include "web/list_filters.h"

#include "core/strings.h"
#include "db/read/series_read.h"
#include "db/read/users_read.h"
#include "db/read/web_read.h"

namespace pb::web {
namespace {

std::string Strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<db::Id> IntKey(std::string_view s) {
  auto v = api::ParsePyInt(s);
  if (!v) return std::nullopt;
  return *v;
}

}  // namespace

std::string UrlQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ListFilters::ListFilters(db::Connection& c, const db::read::Catalog& catalog,
                         const api::QueryParams& params,
                         std::optional<db::read::UserRec> forced_delegate, bool any_delegate)
    : catalog_(catalog) {
  auto get = [&](std::string_view n) -> const std::string* { return params.Last(n); };
  if (const auto* v = get("series")) {
    if (auto id = IntKey(Strip(*v))) {
      if (auto s = db::read::GetSeries(c, *id)) {
        series_id_ = *id;
        series_name_ = s->name.value_or("");
      }
    }
  }
  if (const auto* v = get("submitter")) {
    std::string key = Strip(*v);
    if (!key.empty()) {
      std::optional<db::read::PersonRec> person;
      if (auto id = IntKey(key)) person = db::read::GetPerson(c, *id);
      if (person) {
        person_ids_ = db::read::SamePersonIds(c, person->id);
        person_ = std::move(person);
      } else if (db::read::AnyPersonNameContains(c, key)) {
        person_match_ = key;
      }
    }
  }
  if (const auto* v = get("state")) {
    if (*v == "*") {
      state_any_ = true;
    } else if (auto id = IntKey(*v); id && catalog.State(*id)) {
      state_id_ = *id;
    }
  }
  if (const auto* v = get("q")) search_ = Strip(*v);
  if (const auto* v = get("archive")) {
    if (*v == "true") archive_ = 1;
    else if (*v == "both") archive_ = 2;
  }
  if (forced_delegate) {
    delegate_ = std::move(forced_delegate);
    delegate_forced_ = true;
  } else if (any_delegate) {
    delegate_forced_ = delegate_off_ = true;
  } else if (const auto* v = get("delegate")) {
    std::string key = Strip(*v);
    if (key == "Nobody") {
      delegate_match_ = key;
    } else if (!key.empty()) {
      std::optional<db::read::AuthUserRec> user;
      if (auto id = IntKey(key)) user = db::read::UserById(c, *id);
      if (user) delegate_ = user->user;
      else if (db::read::AnyUsernameContains(c, key)) delegate_match_ = key;
    }
  }
}

void ListFilters::Apply(db::read::PatchFilter& f) const {
  if (series_id_) f.series = std::vector<db::Id>{*series_id_};
  if (person_) f.submitters = person_ids_;
  else if (!person_match_.empty()) f.submitter_name_contains = person_match_;
  if (state_id_) {
    f.states = std::vector<db::Id>{*state_id_};
  } else if (!state_any_) {
    std::vector<db::Id> ids;
    for (const auto& s : catalog_.states()) {
      if (s.action_required) ids.push_back(s.id);
    }
    if (ids.empty()) ids.push_back(-1);
    f.states = ids;
  }
  // Upstream's SearchFilter is name__icontains of the whole string.
  if (!search_.empty()) f.search = {search_};
  if (archive_ == 0) f.archived = false;
  else if (archive_ == 1) f.archived = true;
  if (!delegate_off_) {
    if (delegate_) f.delegates = std::vector<db::Id>{delegate_->id};
    else if (delegate_match_ == "Nobody") f.no_delegate = true;
    else if (!delegate_match_.empty()) f.delegate_username_contains = delegate_match_;
  }
}

std::string ListFilters::submitter_key() const {
  if (person_) return std::to_string(person_->id);
  return person_match_;
}

std::string ListFilters::submitter_condition() const {
  // The name, else the address' local part: pages do not publish addresses.
  if (person_) {
    if (person_->name && !person_->name->empty()) return *person_->name;
    return person_->email.substr(0, person_->email.find('@'));
  }
  return person_match_;
}

std::string ListFilters::delegate_key() const {
  if (delegate_) return std::to_string(delegate_->id);
  return delegate_match_;
}

std::vector<std::pair<std::string, std::string>> ListFilters::Params(std::optional<Which> without) const {
  std::vector<std::pair<std::string, std::string>> p;
  auto add = [&](Which w, const char* name, std::string value) {
    if (without != w) p.emplace_back(name, std::move(value));
  };
  if (series_id_) add(kSeries, "series", std::to_string(*series_id_));
  if (auto k = submitter_key(); !k.empty()) add(kSubmitter, "submitter", k);
  if (state_id_) add(kState, "state", std::to_string(*state_id_));
  else if (state_any_) add(kState, "state", "*");
  if (!search_.empty()) add(kSearch, "q", search_);
  if (archive_ == 1) add(kArchive, "archive", "true");
  else if (archive_ == 2) add(kArchive, "archive", "both");
  if (!delegate_forced_) {
    if (auto k = delegate_key(); !k.empty()) add(kDelegate, "delegate", k);
  }
  return p;
}

std::string ListFilters::Query(const std::vector<std::pair<std::string, std::string>>& extra) const {
  auto p = Params(std::nullopt);
  p.insert(p.end(), extra.begin(), extra.end());
  std::string q;
  for (const auto& [k, v] : p) {
    if (v.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += UrlQuote(k) + "=" + UrlQuote(v);
  }
  return q;
}

std::vector<AppliedFilter> ListFilters::Applied() const {
  auto without = [&](Which w, std::string extra) {
    std::string q;
    for (const auto& [k, v] : Params(w)) {
      q += q.empty() ? "?" : "&";
      q += UrlQuote(k) + "=" + UrlQuote(v);
    }
    // The state and archive filters are on by default: removing one asks
    // for everything explicitly.
    if (!extra.empty()) q += (q.empty() ? "?" : "&") + extra;
    return q.empty() ? std::string("?") : q;
  };
  std::vector<AppliedFilter> out;
  if (series_id_) out.push_back({"Series", series_name_, without(kSeries, ""), false});
  if (person_ || !person_match_.empty()) {
    out.push_back({"Submitter", submitter_condition(), without(kSubmitter, ""), false});
  }
  if (!state_any_) {
    const auto* s = state_id_ ? catalog_.State(*state_id_) : nullptr;
    out.push_back({"State", s ? s->name : "Action Required", without(kState, "state=*"), false});
  }
  if (!search_.empty()) out.push_back({"Search", search_, without(kSearch, ""), false});
  if (archive_ != 2) {
    out.push_back({"Archived", archive_ == 1 ? "Yes" : "No", without(kArchive, "archive=both"), false});
  }
  if (delegate_ && !delegate_off_) {
    out.push_back({"Delegate", delegate_->username, without(kDelegate, ""), delegate_forced_});
  } else if (!delegate_match_.empty()) {
    out.push_back({"Delegate", delegate_match_, without(kDelegate, ""), false});
  }
  return out;
}

}  // namespace pb::web
