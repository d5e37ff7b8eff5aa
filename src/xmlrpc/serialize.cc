#include "xmlrpc/serialize.h"

#include <map>
#include <utility>

#include "core/strings.h"
#include "service/patch_updates.h"

namespace pb::xmlrpc {
namespace {


// str(user) of a nullable foreign key.
std::string UserText(const std::optional<std::string>& username) {
  return username ? *username : "None";
}

bool FilenameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

std::string_view CheckStateName(int state) { return service::CheckStateName(state); }

int CheckStateValue(std::string_view label) {
  for (int i = 0; i < 4; ++i) {
    if (service::CheckStateName(i) == label) return i;
  }
  return -1;
}

std::string Filename(std::string_view name) {
  std::string out;
  bool in_run = false;
  for (char c : name) {
    if (FilenameChar(c)) {
      out += c;
      in_run = false;
    } else if (!in_run) {
      out += '-';
      in_run = true;
    }
  }
  size_t a = out.find_first_not_of('-');
  if (a == std::string::npos) return "";
  size_t b = out.find_last_not_of('-');
  return out.substr(a, b - a + 1);
}

Value ProjectDict(const db::RpcProject& p) {
  Value v = Value::Struct();
  v.Add("id", Value::Int(p.id));
  v.Add("linkname", Value::String(p.linkname));
  v.Add("name", Value::String(p.name));
  return v;
}

Value PersonDict(const db::RpcPerson& p) {
  Value v = Value::Struct();
  v.Add("id", Value::Int(p.id));
  v.Add("email", Value::String(p.email));
  // Upstream substitutes the email only for a NULL name, not an empty one.
  v.Add("name", Value::String(p.name ? *p.name : p.email));
  v.Add("user", Value::Bytes(UserText(p.username)));
  return v;
}

Value StateDict(const db::RpcState& s) {
  Value v = Value::Struct();
  v.Add("id", Value::Int(s.id));
  v.Add("name", Value::String(s.name));
  return v;
}

Value PatchDict(const db::RpcPatch& p) {
  Value v = Value::Struct();
  v.Add("id", Value::Int(p.id));
  v.Add("date", Value::Bytes(db::RpcDateText(p.date)));
  v.Add("filename", Value::String(Filename(p.name)));
  v.Add("msgid", Value::String(p.msgid));
  v.Add("name", Value::String(p.name));
  v.Add("project", Value::Bytes(p.project_name));
  v.Add("project_id", Value::Int(p.project_id));
  v.Add("state", Value::Bytes(p.state_name));
  v.Add("state_id", Value::Int(p.state_id));
  v.Add("archived", Value::Bool(p.archived));
  v.Add("submitter", Value::Bytes(PersonDisplay(p.submitter_name, p.submitter_email)));
  v.Add("submitter_id", Value::Int(p.submitter_id));
  v.Add("delegate", Value::Bytes(UserText(p.delegate_username)));
  v.Add("delegate_id", Value::Int(p.delegate_id.value_or(0)));
  v.Add("commit_ref", Value::String(p.commit_ref.value_or("")));
  v.Add("hash", Value::String(p.hash.value_or("")));
  return v;
}

Value CheckDict(const db::RpcCheck& c) {
  Value v = Value::Struct();
  v.Add("id", Value::Int(c.id));
  v.Add("date", Value::Bytes(db::RpcDateText(c.date)));
  v.Add("patch", Value::Bytes(c.patch_name));
  v.Add("patch_id", Value::Int(c.patch_id));
  v.Add("user", Value::Bytes(c.username));
  v.Add("user_id", Value::Int(c.user_id));
  v.Add("state", Value::String(std::string(CheckStateName(c.state))));
  // A NULL here makes the response unmarshallable, as upstream's does.
  v.Add("target_url", c.target_url ? Value::String(*c.target_url) : Value::Nil());
  v.Add("description", c.description ? Value::String(*c.description) : Value::Nil());
  v.Add("context", Value::String(c.context));
  return v;
}

Value PatchCheckDict(const std::vector<db::RpcCheck>& all_checks) {
  // Upstream's filter_unique_checks: walking the checks in order, a check
  // replaces the remembered one for its (user, context) unless it is older.
  std::map<std::pair<db::Id, std::string>, size_t> latest;
  std::vector<bool> dropped(all_checks.size(), false);
  for (size_t i = 0; i < all_checks.size(); ++i) {
    const auto& c = all_checks[i];
    auto [it, inserted] = latest.try_emplace({c.user_id, c.context}, i);
    if (inserted) continue;
    if (all_checks[it->second].date > c.date) {
      dropped[i] = true;
    } else {
      dropped[it->second] = true;
      it->second = i;
    }
  }
  Value checks = Value::Array();
  bool seen[4] = {false, false, false, false};
  for (size_t i = 0; i < all_checks.size(); ++i) {
    if (dropped[i]) continue;
    int s = all_checks[i].state;
    if (s >= 0 && s <= 3) seen[s] = true;
    checks.items.push_back(CheckDict(all_checks[i]));
  }
  // fail, then warning, then pending win; success only when all succeeded.
  std::string_view combined = "success";
  if (checks.items.empty()) combined = "pending";
  else if (seen[3]) combined = "fail";
  else if (seen[2]) combined = "warning";
  else if (seen[0]) combined = "pending";

  Value v = Value::Struct();
  v.Add("state", Value::String(std::string(combined)));
  v.Add("total", Value::Int(static_cast<int64_t>(checks.items.size())));
  v.Add("checks", std::move(checks));
  return v;
}

}  // namespace pb::xmlrpc
