#include "service/accounts.h"

#include <cctype>

#include "db/users.h"
#include "service/passwords.h"

namespace pb::service {
namespace {

constexpr Micros kDay = 24LL * 3600 * 1000000;

std::string Strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Python's \w for ASCII plus any non-ASCII byte (UTF-8 letters).
bool IsWordChars(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char ch : s) {
    if (!(std::isalnum(ch) || ch == '_' || ch >= 0x80)) return false;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string EmailError(std::string_view email, size_t max_length) {
  if (email.empty()) return "This field is required.";
  if (Utf8Length(email) > max_length) {
    return "Ensure this value has at most " + std::to_string(max_length) + " characters (it has " +
           std::to_string(Utf8Length(email)) + ").";
  }
  // Django's EmailValidator, reduced: one @, a non-empty local part, a
  // dotted domain, no spaces or control characters.
  size_t at = email.rfind('@');
  bool ok = at != std::string_view::npos && at > 0 && at + 1 < email.size();
  if (ok) {
    std::string_view domain = email.substr(at + 1);
    ok = domain.find('.') != std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.' && domain.find("..") == std::string_view::npos;
    for (unsigned char ch : email) {
      if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == '"') ok = false;
    }
    if (email.substr(0, at).find('@') != std::string_view::npos) ok = false;
  }
  return ok ? "" : "Enter a valid email address.";
}

FormErrors ValidateRegistration(db::Connection& c, const RegistrationForm& f) {
  FormErrors e;
  if (Utf8Length(f.first_name) > 30) e["first_name"] = "Ensure this value has at most 30 characters (it has " + std::to_string(Utf8Length(f.first_name)) + ").";
  if (Utf8Length(f.last_name) > 30) e["last_name"] = "Ensure this value has at most 30 characters (it has " + std::to_string(Utf8Length(f.last_name)) + ").";
  if (f.username.empty()) {
    e["username"] = "This field is required.";
  } else if (Utf8Length(f.username) > 30) {
    e["username"] = "Ensure this value has at most 30 characters (it has " + std::to_string(Utf8Length(f.username)) + ").";
  } else if (!IsWordChars(f.username)) {
    e["username"] = "Enter a valid value.";
  } else if (db::UsernameTakenAs(c, f.username)) {
    e["username"] = "This username is already taken. Please choose another.";
  }
  if (std::string err = EmailError(f.email, 100); !err.empty()) {
    e["email"] = err;
  } else if (auto owner = db::UserWithEmail(c, f.email)) {
    e["email"] = "This email address is already in use for the account \"" + *owner + "\".";
  }
  if (f.password.empty()) e["password"] = "This field is required.";
  return e;
}

std::string Register(db::Connection& c, const RegistrationForm& f, Micros now) {
  return RegisterHashed(c, f, HashPassword(f.password), now);
}

std::string RegisterHashed(db::Connection& c, const RegistrationForm& f, std::string_view hash,
                           Micros now) {
  db::UserRow u;
  u.username = f.username;
  u.email = f.email;
  u.first_name = Strip(f.first_name);
  u.last_name = Strip(f.last_name);
  u.is_active = false;
  db::Id id = db::InsertUser(c, u, hash);
  return NewConfirmation(c, "registration", f.email, id, now);
}

std::string NewConfirmation(db::Connection& c, std::string_view type, std::string_view email,
                            std::optional<db::Id> user_id, Micros now) {
  // 40 hex characters, as upstream's SHA-1 keys; random rather than derived.
  std::string key = NewToken();
  db::InsertConfirmation(c, type, email, user_id, key, now);
  return key;
}

Confirmed CheckConfirmation(db::Connection& c, std::string_view key, int validity_days,
                            Micros now) {
  Confirmed r;
  auto conf = db::FindConfirmation(c, key);
  if (!conf) return r;
  r.conf = std::move(*conf);
  const auto& t = r.conf.type;
  if (t != "registration" && t != "userperson" && t != "optout" && t != "optin") return r;
  if (!r.conf.active) {
    r.outcome = ConfirmOutcome::kInactive;
  } else if (r.conf.date + validity_days * kDay <= now) {
    r.outcome = ConfirmOutcome::kExpired;
  } else {
    r.outcome = ConfirmOutcome::kDone;
  }
  return r;
}

void ApplyConfirmation(db::Connection& c, const db::ConfirmationRow& conf) {
  if (conf.type == "registration" && conf.user_id) {
    db::ActivateUser(c, *conf.user_id);
    if (auto a = db::FindAccount(c, *conf.user_id)) {
      db::LinkPeopleToUser(c, a->user.id, a->user.email, ProfileName(a->user));
    }
  } else if (conf.type == "userperson" && conf.user_id) {
    if (auto a = db::FindAccount(c, *conf.user_id)) {
      db::LinkPeopleToUser(c, a->user.id, conf.email, ProfileName(a->user));
    }
  } else if (conf.type == "optout") {
    db::AddOptout(c, OptoutKey(conf.email));
  } else if (conf.type == "optin") {
    db::RemoveOptout(c, OptoutKey(conf.email));
  }
  db::DeactivateConfirmation(c, conf.id);
}

std::string ProfileName(const db::UserRow& u) {
  std::string name = u.first_name;
  if (!u.last_name.empty()) name += (name.empty() ? "" : " ") + u.last_name;
  return name.empty() ? u.username : name;
}

std::string OptoutKey(std::string_view email) {
  std::string s = Strip(email);
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace pb::service
