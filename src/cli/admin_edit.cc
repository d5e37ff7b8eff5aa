// The rest of upstream's admin site on the command line: editing and
// deleting projects, maintainers, delegation rules, states, tags, users,
// people, and deleting spam. Every conflict is checked first and named in
// plain words; nothing here prints a database error for a user mistake.
#include <charconv>
#include <cstdio>

#include "cli/admin_edit.h"
#include "cli/open_db.h"
#include "cli/stdin_line.h"
#include "db/accounts.h"
#include "db/admin.h"
#include "db/mail_store.h"
#include "db/projects.h"
#include "db/superseding.h"
#include "db/users.h"
#include "service/passwords.h"

namespace pb::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "patchbay: %s\n", message.c_str());
  return 1;
}

// "yes"/"no" (also on/off, true/false, 1/0); nullopt when absent, and an
// error when present but neither.
struct Flag {
  bool present = false;
  bool value = false;
  bool bad = false;
};
Flag TakeBool(Args& args, const std::string& name) {
  Flag f;
  std::string v = TakeOption(args, name);
  if (v.empty()) return f;
  f.present = true;
  if (v == "yes" || v == "on" || v == "true" || v == "1") f.value = true;
  else if (v == "no" || v == "off" || v == "false" || v == "0") f.value = false;
  else f.bad = true;
  return f;
}

std::optional<int64_t> ParseId(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

void Commit(db::Connection& c, db::Transaction& tx) {
  db::BumpGeneration(c);
  tx.Commit();
}

// Replaces a string field when the option is given (even as "").
bool TakeField(Args& args, const std::string& name, std::string& field) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name || args[i].rfind(name + "=", 0) == 0) {
      field = TakeOption(args, name);
      return true;
    }
  }
  return false;
}

}  // namespace

bool IsSlug(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char ch : s) {
    if (!(std::isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80)) return false;
  }
  return true;
}

int RunVerbCommand(const Args& in, std::string_view usage, const VerbCommand& verb_command) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  auto show_usage = [usage] {
    std::fprintf(stderr, "%.*s", static_cast<int>(usage.size()), usage.data());
    return 2;
  };
  if (args.empty()) return show_usage();
  std::string verb = args[0];
  args.erase(args.begin());
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  int rc = verb_command(*conn, verb, args);
  return rc == kShowUsage ? show_usage() : rc;
}

const char* const kProjectAdminUsage =
    "       patchbay project edit LINKNAME [--linkname L] [--name N] [--listid ID]\n"
    "                         [--listemail A] [--subject-match RE] [--web-url U] [--scm-url U]\n"
    "                         [--webscm-url U] [--list-archive-url U] [--list-archive-url-format U]\n"
    "                         [--commit-url-format U] [--send-notifications yes|no]\n"
    "                         [--use-tags yes|no] [--supersede-revisions yes|no]\n"
    "       patchbay project show LINKNAME\n"
    "       patchbay project delete LINKNAME [--with-patches]\n"
    "       patchbay project maintainers LINKNAME\n"
    "       patchbay project unmaintainer LINKNAME USERNAME\n"
    "       patchbay project rules LINKNAME\n"
    "       patchbay project undelegate LINKNAME PATH-GLOB\n"
    "       patchbay project rule-priority LINKNAME PATH-GLOB PRIORITY\n";

int ProjectAdmin(db::Connection& c, const std::string& verb, Args& args) {
  if (args.empty()) return kShowUsage;
  auto p = db::FindProject(c, args[0]);
  if (!p) return Fail("no project '" + args[0] + "'");
  args.erase(args.begin());
  if (verb == "show" && args.empty()) {
    std::printf("id: %lld\nlinkname: %s\nname: %s\nlistid: %s\nlistemail: %s\nsubject_match: %s\n"
                "web_url: %s\nscm_url: %s\nwebscm_url: %s\nlist_archive_url: %s\n"
                "list_archive_url_format: %s\ncommit_url_format: %s\nsend_notifications: %s\n"
                "use_tags: %s\nsupersede_revisions: %s\n",
                static_cast<long long>(p->id), p->linkname.c_str(), p->name.c_str(),
                p->listid.c_str(), p->listemail.c_str(), p->subject_match.c_str(),
                p->web_url.c_str(), p->scm_url.c_str(), p->webscm_url.c_str(),
                p->list_archive_url.c_str(), p->list_archive_url_format.c_str(),
                p->commit_url_format.c_str(), p->send_notifications ? "yes" : "no",
                p->use_tags ? "yes" : "no",
                db::ProjectSupersedesRevisions(c, p->id) ? "yes" : "no");
    return 0;
  }
  if (verb == "edit") {
    db::ProjectRow n = *p;
    TakeField(args, "--linkname", n.linkname);
    TakeField(args, "--name", n.name);
    TakeField(args, "--listid", n.listid);
    TakeField(args, "--listemail", n.listemail);
    TakeField(args, "--subject-match", n.subject_match);
    TakeField(args, "--web-url", n.web_url);
    TakeField(args, "--scm-url", n.scm_url);
    TakeField(args, "--webscm-url", n.webscm_url);
    TakeField(args, "--list-archive-url", n.list_archive_url);
    TakeField(args, "--list-archive-url-format", n.list_archive_url_format);
    TakeField(args, "--commit-url-format", n.commit_url_format);
    Flag notify = TakeBool(args, "--send-notifications");
    Flag tags = TakeBool(args, "--use-tags");
    Flag supersede = TakeBool(args, "--supersede-revisions");
    if (notify.bad || tags.bad || supersede.bad) {
      return Fail("--send-notifications, --use-tags and --supersede-revisions take yes or no");
    }
    if (!args.empty()) return kShowUsage;
    if (notify.present) n.send_notifications = notify.value;
    if (tags.present) n.use_tags = tags.value;
    if (!IsSlug(n.linkname)) return Fail("the linkname must be letters, digits, '-' or '_'");
    if (n.name.empty() || n.listid.empty() || n.listemail.empty()) {
      return Fail("name, listid and listemail cannot be empty");
    }
    db::Transaction tx(c);
    if (auto clash = db::ProjectClash(c, n)) return Fail(*clash);
    db::UpdateProject(c, n);
    if (supersede.present) db::SetProjectSupersedesRevisions(c, n.id, supersede.value);
    Commit(c, tx);
    std::printf("updated project %s\n", n.linkname.c_str());
    return 0;
  }
  if (verb == "delete") {
    bool with_patches = TakeFlag(args, "--with-patches");
    if (!args.empty()) return kShowUsage;
    db::Transaction tx(c);
    int64_t patches = db::CountProjectPatches(c, p->id);
    if (patches > 0 && !with_patches) {
      return Fail("project " + p->linkname + " has " + std::to_string(patches) +
                  " patches; add --with-patches to delete them too");
    }
    db::DeleteProject(c, p->id);
    Commit(c, tx);
    std::printf("deleted project %s and its %lld patches\n", p->linkname.c_str(),
                static_cast<long long>(patches));
    return 0;
  }
  if (verb == "maintainers" && args.empty()) {
    for (const auto& u : db::ProjectMaintainers(c, p->id)) {
      std::printf("%s <%s>\n", u.username.c_str(), u.email.c_str());
    }
    return 0;
  }
  if (verb == "unmaintainer" && args.size() == 1) {
    auto u = db::FindUserByUsername(c, args[0]);
    if (!u) return Fail("no user '" + args[0] + "'");
    db::Transaction tx(c);
    if (db::RemoveMaintainer(c, p->id, u->id) == 0) {
      return Fail(u->username + " does not maintain " + p->linkname);
    }
    Commit(c, tx);
    std::printf("%s no longer maintains %s\n", u->username.c_str(), p->linkname.c_str());
    return 0;
  }
  if (verb == "rules" && args.empty()) {
    std::printf("%-8s %-30s %s\n", "priority", "path", "delegate");
    for (const auto& r : db::ListDelegationRules(c, p->id)) {
      std::printf("%-8lld %-30s %s\n", static_cast<long long>(r.priority), r.path.c_str(),
                  r.username.c_str());
    }
    return 0;
  }
  if (verb == "undelegate" && args.size() == 1) {
    db::Transaction tx(c);
    if (db::RemoveDelegationRule(c, p->id, args[0]) == 0) {
      return Fail(p->linkname + " has no delegation rule for '" + args[0] + "'");
    }
    Commit(c, tx);
    std::printf("removed the rule for %s from %s\n", args[0].c_str(), p->linkname.c_str());
    return 0;
  }
  if (verb == "rule-priority" && args.size() == 2) {
    auto prio = ParseId(args[1]);
    if (!prio && args[1] != "0") return Fail("the priority must be a whole number >= 0");
    db::Transaction tx(c);
    if (db::SetDelegationRulePriority(c, p->id, args[0], prio.value_or(0)) == 0) {
      return Fail(p->linkname + " has no delegation rule for '" + args[0] + "'");
    }
    Commit(c, tx);
    std::printf("rule %s of %s now has priority %s\n", args[0].c_str(), p->linkname.c_str(),
                args[1].c_str());
    return 0;
  }
  return kShowUsage;
}

const char* const kUserAdminUsage =
    "       patchbay user show USERNAME\n"
    "       patchbay user edit USERNAME [--email E] [--first-name F] [--last-name L]\n"
    "                      [--superuser yes|no] [--staff yes|no] [--active yes|no]\n"
    "       patchbay user password USERNAME [--password P]   (else read from stdin)\n"
    "       patchbay user deactivate USERNAME\n"
    "       patchbay user delete USERNAME [--undelegate] [--with-checks]\n";

int UserAdmin(db::Connection& c, const std::string& verb, Args& args) {
  if (args.empty()) return kShowUsage;
  auto u = db::FindUserByUsername(c, args[0]);
  if (!u) return Fail("no user '" + args[0] + "'");
  args.erase(args.begin());
  if (verb == "show" && args.empty()) {
    std::printf("id: %lld\nusername: %s\nemail: %s\nname: %s %s\nactive: %s\nstaff: %s\nsuperuser: %s\n",
                static_cast<long long>(u->id), u->username.c_str(), u->email.c_str(),
                u->first_name.c_str(), u->last_name.c_str(), u->is_active ? "yes" : "no",
                u->is_staff ? "yes" : "no", u->is_superuser ? "yes" : "no");
    for (const auto& p : db::PeopleOfUser(c, u->id)) std::printf("address: %s\n", p.email.c_str());
    return 0;
  }
  if (verb == "edit") {
    db::UserRow n = *u;
    bool email_changed = TakeField(args, "--email", n.email);
    TakeField(args, "--first-name", n.first_name);
    TakeField(args, "--last-name", n.last_name);
    Flag su = TakeBool(args, "--superuser"), staff = TakeBool(args, "--staff"),
         active = TakeBool(args, "--active");
    if (su.bad || staff.bad || active.bad) return Fail("--superuser, --staff and --active take yes or no");
    if (!args.empty()) return kShowUsage;
    if (su.present) n.is_superuser = su.value;
    if (staff.present) n.is_staff = staff.value;
    if (active.present) n.is_active = active.value;
    db::Transaction tx(c);
    if (email_changed && !n.email.empty()) {
      if (auto other = db::UserWithEmail(c, n.email); other && *other != u->username) {
        return Fail("the address " + n.email + " belongs to user " + *other);
      }
    }
    db::UpdateUser(c, n);
    int64_t linked = email_changed && !n.email.empty() ? db::LinkUnclaimedPeopleToUser(c, n.id, n.email) : 0;
    if (!n.is_active) db::DeleteUserSessions(c, n.id);
    Commit(c, tx);
    std::printf("updated user %s", n.username.c_str());
    if (linked) std::printf(" (linked to %lld submitter addresses)", static_cast<long long>(linked));
    std::printf("\n");
    return 0;
  }
  if (verb == "password") {
    std::string password = TakeOption(args, "--password");
    if (!args.empty()) return kShowUsage;
    if (password.empty()) {
      ReadStdinLine(password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
    }
    if (password.empty()) return Fail("an empty password is refused");
    db::Transaction tx(c);
    db::SetPasswordHash(c, u->id, service::HashPassword(password));
    Commit(c, tx);  // the new hash ends the user's sessions
    std::printf("password of %s changed\n", u->username.c_str());
    return 0;
  }
  if (verb == "deactivate" && args.empty()) {
    db::UserRow n = *u;
    n.is_active = false;
    db::Transaction tx(c);
    db::UpdateUser(c, n);
    db::DeleteUserSessions(c, n.id);
    Commit(c, tx);
    std::printf("deactivated %s (logins refused, sessions ended; `cron` does not delete "
                "accounts it did not create)\n",
                u->username.c_str());
    return 0;
  }
  if (verb == "delete") {
    bool undelegate = TakeFlag(args, "--undelegate");
    bool with_checks = TakeFlag(args, "--with-checks");
    if (!args.empty()) return kShowUsage;
    db::Transaction tx(c);
    auto f = db::UserFootprintOf(c, u->id);
    // Patches delegated to a deleted user would go with it (upstream's
    // CASCADE): never silently.
    if (f.delegated > 0 && !undelegate) {
      return Fail(u->username + " is the delegate of " + std::to_string(f.delegated) +
                  " patches; add --undelegate to clear them, or `user deactivate` instead");
    }
    if (f.checks > 0 && !with_checks) {
      return Fail(u->username + " reported " + std::to_string(f.checks) +
                  " checks that would be deleted; add --with-checks, or `user deactivate` instead");
    }
    if (undelegate) db::UndelegateAll(c, u->id);
    db::DeleteUser(c, u->id);
    Commit(c, tx);
    std::printf("deleted user %s (%lld bundles, %lld checks)\n", u->username.c_str(),
                static_cast<long long>(f.bundles), static_cast<long long>(f.checks));
    return 0;
  }
  return kShowUsage;
}

namespace {

const char* const kStateUsage =
    "usage: patchbay state list\n"
    "       patchbay state add NAME [--slug S] [--ordering N] [--action-required yes|no]\n"
    "       patchbay state edit SLUG [--name N] [--slug S] [--ordering N]\n"
    "                       [--action-required yes|no]\n"
    "       patchbay state delete SLUG [--move-to SLUG]\n";

int StateVerb(db::Connection& c, const std::string& verb, Args& args) {
  if (verb == "list" && args.empty()) {
    std::printf("%-4s %-22s %-22s %-8s %-8s %s\n", "id", "slug", "name", "ordering", "action", "patches");
    for (const auto& s : db::ListStates(c)) {
      std::printf("%-4lld %-22s %-22s %-8lld %-8s %lld\n", static_cast<long long>(s.id),
                  s.slug.c_str(), s.name.c_str(), static_cast<long long>(s.ordering),
                  s.action_required ? "yes" : "no", static_cast<long long>(s.patches));
    }
    return 0;
  }
  if (args.empty()) return kShowUsage;
  std::string key = args[0];
  args.erase(args.begin());
  db::StateRow s;
  if (verb == "add") {
    s.name = key;
    for (char ch : key) s.slug += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch))) : '-';
  } else {
    auto found = db::FindState(c, key);
    if (!found) return Fail("no state '" + key + "'");
    s = *found;
  }
  if (verb == "add" || verb == "edit") {
    TakeField(args, "--name", s.name);
    TakeField(args, "--slug", s.slug);
    std::string ordering = TakeOption(args, "--ordering");
    Flag action = TakeBool(args, "--action-required");
    if (action.bad) return Fail("--action-required takes yes or no");
    if (!args.empty()) return kShowUsage;
    if (action.present) s.action_required = action.value;
    if (!ordering.empty()) {
      auto o = ParseId(ordering);
      if (!o && ordering != "0") return Fail("--ordering must be a whole number >= 0");
      s.ordering = o.value_or(0);
    } else if (verb == "add") {
      int64_t max = -1;
      for (const auto& st : db::ListStates(c)) max = std::max(max, st.ordering);
      s.ordering = max + 1;
    }
    if (s.name.empty() || !IsSlug(s.slug)) return Fail("a state needs a name and a slug of letters, digits, '-' or '_'");
    db::Transaction tx(c);
    for (const auto& other : db::ListStates(c)) {
      if (other.id == s.id) continue;
      if (other.slug == s.slug) return Fail("state " + other.name + " already has the slug " + s.slug);
      if (other.name == s.name) return Fail("a state named " + s.name + " exists");
      if (other.ordering == s.ordering) {
        return Fail("state " + other.name + " already has ordering " + std::to_string(s.ordering));
      }
    }
    if (verb == "add") s.id = db::InsertState(c, s); else db::UpdateState(c, s);
    Commit(c, tx);
    std::printf("%s state %s (%s)\n", verb == "add" ? "added" : "updated", s.name.c_str(), s.slug.c_str());
    return 0;
  }
  if (verb == "delete") {
    std::string move_to = TakeOption(args, "--move-to");
    if (!args.empty()) return kShowUsage;
    db::Transaction tx(c);
    if (s.patches > 0) {
      if (move_to.empty()) {
        return Fail(std::to_string(s.patches) + " patches are in state " + s.name +
                    "; add --move-to SLUG to move them first (deleting would delete them)");
      }
      auto target = db::FindState(c, move_to);
      if (!target || target->id == s.id) return Fail("no other state '" + move_to + "'");
      db::MovePatchesToState(c, s.id, target->id);
    }
    if (db::ListStates(c).size() <= 1) return Fail("the last state cannot be deleted");
    db::DeleteState(c, s.id);
    Commit(c, tx);
    std::printf("deleted state %s\n", s.name.c_str());
    return 0;
  }
  return kShowUsage;
}

}  // namespace

int State(const Args& in) { return RunVerbCommand(in, kStateUsage, StateVerb); }

namespace {

const char* const kTagUsage =
    "usage: patchbay tag list\n"
    "       patchbay tag add NAME --pattern RE --abbrev A [--show-column yes|no]\n"
    "       patchbay tag edit NAME [--name N] [--pattern RE] [--abbrev A] [--show-column yes|no]\n"
    "       patchbay tag delete NAME\n"
    "  (run `patchbay retag` after changing patterns)\n";

int TagVerb(db::Connection& c, const std::string& verb, Args& args) {
  if (verb == "list" && args.empty()) {
    std::printf("%-4s %-16s %-6s %-7s %s\n", "id", "name", "abbrev", "column", "pattern");
    for (const auto& t : db::ListTags(c)) {
      std::printf("%-4lld %-16s %-6s %-7s %s\n", static_cast<long long>(t.id), t.name.c_str(),
                  t.abbrev.c_str(), t.show_column ? "yes" : "no", t.pattern.c_str());
    }
    return 0;
  }
  if (args.empty()) return kShowUsage;
  std::string key = args[0];
  args.erase(args.begin());
  db::TagRow t;
  if (verb == "add") {
    t.name = key;
  } else {
    auto found = db::FindTag(c, key);
    if (!found) return Fail("no tag '" + key + "'");
    t = *found;
  }
  if (verb == "add" || verb == "edit") {
    TakeField(args, "--name", t.name);
    TakeField(args, "--pattern", t.pattern);
    TakeField(args, "--abbrev", t.abbrev);
    Flag col = TakeBool(args, "--show-column");
    if (col.bad) return Fail("--show-column takes yes or no");
    if (!args.empty()) return kShowUsage;
    if (col.present) t.show_column = col.value;
    if (t.name.empty() || t.pattern.empty() || t.abbrev.empty()) {
      return Fail("a tag needs a name, a --pattern and an --abbrev");
    }
    if (t.abbrev.size() > 2) return Fail("the abbreviation is at most 2 characters");
    db::Transaction tx(c);
    for (const auto& other : db::ListTags(c)) {
      if (other.id != t.id && other.name == t.name) return Fail("a tag named " + t.name + " exists");
    }
    if (verb == "add") t.id = db::InsertTag(c, t); else db::UpdateTag(c, t);
    Commit(c, tx);
    std::printf("%s tag %s; run `patchbay retag` to recount\n", verb == "add" ? "added" : "updated", t.name.c_str());
    return 0;
  }
  if (verb == "delete" && args.empty()) {
    db::Transaction tx(c);
    db::DeleteTag(c, t.id);
    Commit(c, tx);
    std::printf("deleted tag %s\n", t.name.c_str());
    return 0;
  }
  return kShowUsage;
}

}  // namespace

int Tag(const Args& in) { return RunVerbCommand(in, kTagUsage, TagVerb); }

namespace {

const char* const kPersonUsage =
    "usage: patchbay person list [SEARCH] [--limit N]\n"
    "       patchbay person link PERSON-ID USERNAME\n"
    "       patchbay person unlink PERSON-ID\n"
    "       patchbay person merge FROM-ID INTO-ID   (FROM's patches, covers and comments become INTO's)\n";

int PersonVerb(db::Connection& c, const std::string& verb, Args& args) {
  if (verb == "list" && args.size() <= 3) {
    std::string limit = TakeOption(args, "--limit");
    if (args.size() > 1) return kShowUsage;
    auto n = limit.empty() ? std::optional<int64_t>(100) : ParseId(limit);
    if (!n) return Fail("--limit must be a positive number");
    std::printf("%-6s %-30s %-24s %-12s %s\n", "id", "email", "name", "user", "patches");
    for (const auto& p : db::ListPeopleAdmin(c, args.empty() ? "" : args[0], *n)) {
      std::printf("%-6lld %-30s %-24s %-12s %lld\n", static_cast<long long>(p.id), p.email.c_str(),
                  p.name.value_or("").c_str(), p.username.value_or("-").c_str(),
                  static_cast<long long>(p.patches));
    }
    return 0;
  }
  if ((verb == "link" && args.size() == 2) || (verb == "unlink" && args.size() == 1)) {
    auto id = ParseId(args[0]);
    if (!id || !db::FindPerson(c, *id)) return Fail("no person " + args[0]);
    std::optional<db::Id> user_id;
    if (verb == "link") {
      auto u = db::FindUserByUsername(c, args[1]);
      if (!u) return Fail("no user '" + args[1] + "'");
      user_id = u->id;
    }
    db::Transaction tx(c);
    db::SetPersonUser(c, *id, user_id);
    Commit(c, tx);
    std::printf("person %s %s\n", args[0].c_str(), verb == "link" ? ("linked to " + args[1]).c_str() : "unlinked");
    return 0;
  }
  if (verb == "merge" && args.size() == 2) {
    auto from = ParseId(args[0]), into = ParseId(args[1]);
    if (!from || !db::FindPerson(c, *from)) return Fail("no person " + args[0]);
    if (!into || !db::FindPerson(c, *into)) return Fail("no person " + args[1]);
    if (*from == *into) return Fail("a person cannot be merged into itself");
    db::Transaction tx(c);
    db::MergePeople(c, *from, *into);
    Commit(c, tx);
    std::printf("merged person %s into %s\n", args[0].c_str(), args[1].c_str());
    return 0;
  }
  return kShowUsage;
}

}  // namespace

int Person(const Args& in) { return RunVerbCommand(in, kPersonUsage, PersonVerb); }

int DeleteSubmissions(const Args& in, const std::string& kind) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  if (args.empty() || args[0] != "delete" || args.size() < 2) {
    std::fprintf(stderr, "usage: patchbay %s delete ID...   (spam: gone with its comments, checks and events)\n",
                 kind.c_str());
    return 2;
  }
  std::vector<db::Id> ids;
  for (size_t i = 1; i < args.size(); ++i) {
    auto id = ParseId(args[i]);
    if (!id) return Fail("not an id: '" + args[i] + "'");
    ids.push_back(*id);
  }
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  db::Connection& c = *conn;
  db::Transaction tx(c);
  for (auto id : ids) {
    bool exists = kind == "patch" ? db::PatchExists(c, id) : kind == "cover" ? db::CoverExists(c, id)
                                                                             : db::SeriesExists(c, id);
    if (!exists) return Fail("no " + kind + " " + std::to_string(id) + "; nothing deleted");
  }
  int64_t patches = 0;
  for (auto id : ids) {
    if (kind == "patch") db::DeletePatch(c, id);
    else if (kind == "cover") db::DeleteCover(c, id);
    else patches += db::DeleteSeries(c, id);
  }
  Commit(c, tx);
  std::printf("deleted %zu %s%s", ids.size(), kind.c_str(), ids.size() == 1 ? "" : (kind == "series" ? "" : (kind == "patch" ? "es" : "s")));
  if (kind == "series") std::printf(" with %lld patches", static_cast<long long>(patches));
  std::printf("\n");
  return 0;
}

int Patch(const Args& args) { return DeleteSubmissions(args, "patch"); }
int Cover(const Args& args) { return DeleteSubmissions(args, "cover"); }
int Series(const Args& args) { return DeleteSubmissions(args, "series"); }

}  // namespace pb::cli
