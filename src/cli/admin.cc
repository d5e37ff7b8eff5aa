// project, user, retag, rehash, demo: administration without SQL.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cli/admin_edit.h"
#include "cli/commands.h"
#include "cli/open_db.h"
#include "db/accounts.h"
#include "db/admin.h"
#include "db/mail_store.h"
#include "db/patches.h"
#include "db/projects.h"
#include "db/users.h"
#include "parser/parsed_mail.h"
#include "service/ingest.h"
#include "service/passwords.h"

namespace pb::cli {
namespace {

std::string ProjectUsage() {
  return std::string(
         "usage: patchbay project create --linkname L --name N --listid ID --listemail ADDR\n"
         "                         [--subject-match RE] [--web-url U] [--scm-url U]\n"
         "                         [--webscm-url U] [--list-archive-url U]\n"
         "                         [--list-archive-url-format U] [--commit-url-format U]\n"
         "       patchbay project list\n"
         "       patchbay project maintainer LINKNAME USERNAME\n"
         "       patchbay project delegate LINKNAME PATH-GLOB USERNAME [PRIORITY]\n") +
         kProjectAdminUsage;
}

int ProjectVerb(db::Connection& conn, const std::string& verb, Args& args) {
  if (verb == "create") {
    db::ProjectRow p;
    p.linkname = TakeOption(args, "--linkname");
    p.name = TakeOption(args, "--name");
    p.listid = TakeOption(args, "--listid");
    p.listemail = TakeOption(args, "--listemail");
    p.subject_match = TakeOption(args, "--subject-match");
    p.web_url = TakeOption(args, "--web-url");
    p.scm_url = TakeOption(args, "--scm-url");
    p.webscm_url = TakeOption(args, "--webscm-url");
    p.list_archive_url = TakeOption(args, "--list-archive-url");
    p.list_archive_url_format = TakeOption(args, "--list-archive-url-format");
    p.commit_url_format = TakeOption(args, "--commit-url-format");
    if (p.name.empty()) p.name = p.linkname;
    if (!IsSlug(p.linkname) || p.listid.empty() || p.listemail.empty() || !args.empty()) {
      if (!p.linkname.empty() && !IsSlug(p.linkname)) {
        std::fprintf(stderr, "patchbay: --linkname must be letters, digits, '-' or '_'\n");
      }
      return kShowUsage;
    }
    db::Transaction tx(conn);
    if (auto clash = db::ProjectClash(conn, p)) {
      std::fprintf(stderr, "patchbay: %s\n", clash->c_str());
      return 1;
    }
    p.id = db::InsertProject(conn, p);
    db::BumpGeneration(conn);
    tx.Commit();
    std::printf("created project %lld %s (list id %s)\n", static_cast<long long>(p.id),
                p.linkname.c_str(), p.listid.c_str());
    return 0;
  }
  if (verb == "list") {
    std::printf("%-4s %-20s %-30s %s\n", "id", "linkname", "list id", "name");
    for (const auto& p : db::ListProjects(conn)) {
      std::printf("%-4lld %-20s %-30s %s\n", static_cast<long long>(p.id), p.linkname.c_str(),
                  p.listid.c_str(), p.name.c_str());
    }
    return 0;
  }
  if (verb == "maintainer" && args.size() == 2) {
    auto p = db::FindProject(conn, args[0]);
    auto u = db::FindUserByUsername(conn, args[1]);
    if (!p || !u) {
      std::fprintf(stderr, "patchbay: unknown project or user\n");
      return 1;
    }
    db::AddMaintainer(conn, p->id, u->id);
    std::printf("%s now maintains %s\n", u->username.c_str(), p->linkname.c_str());
    return 0;
  }
  if (verb == "delegate" && (args.size() == 3 || args.size() == 4)) {
    auto p = db::FindProject(conn, args[0]);
    auto u = db::FindUserByUsername(conn, args[2]);
    if (!p || !u) {
      std::fprintf(stderr, "patchbay: unknown project or user\n");
      return 1;
    }
    db::AddDelegationRule(conn, p->id, u->id, args[1], args.size() == 4 ? std::stoi(args[3]) : 0);
    std::printf("patches touching %s in %s go to %s\n", args[1].c_str(), p->linkname.c_str(),
                u->username.c_str());
    return 0;
  }
  return ProjectAdmin(conn, verb, args);
}

}  // namespace

int Project(const Args& in) { return RunVerbCommand(in, ProjectUsage(), ProjectVerb); }

namespace {

std::string UserUsage() {
  return std::string(
         "usage: patchbay user create --username U --email E [--password P]\n"
         "                      [--first-name F] [--last-name L] [--superuser]\n"
         "                      [--maintainer LINKNAME]...\n"
         "       patchbay user list\n"
         "       patchbay user token USERNAME   (prints a new API token)\n") +
         kUserAdminUsage;
}

int UserVerb(db::Connection& conn, const std::string& verb, Args& args) {
  if (verb == "create") {
    db::UserRow u;
    u.username = TakeOption(args, "--username");
    u.email = TakeOption(args, "--email");
    u.first_name = TakeOption(args, "--first-name");
    u.last_name = TakeOption(args, "--last-name");
    std::string password = TakeOption(args, "--password");
    std::string token = TakeOption(args, "--token");
    u.is_superuser = u.is_staff = TakeFlag(args, "--superuser");
    std::vector<std::string> maintains;
    for (std::string m; !(m = TakeOption(args, "--maintainer")).empty();) maintains.push_back(m);
    if (u.username.empty() || !args.empty()) return kShowUsage;
    db::Transaction tx(conn);
    if (db::FindUserByUsername(conn, u.username)) {
      std::fprintf(stderr, "patchbay: a user named %s already exists\n", u.username.c_str());
      return 1;
    }
    if (!u.email.empty()) {
      if (auto other = db::UserWithEmail(conn, u.email)) {
        std::fprintf(stderr, "patchbay: note: %s also has the address %s\n", other->c_str(),
                     u.email.c_str());
      }
    }
    u.id = db::InsertUser(conn, u, password.empty() ? "" : service::HashPassword(password));
    // The submitter rows of this address become the user's, so they can
    // edit their own patches (rows another user claimed stay theirs).
    int64_t linked = u.email.empty() ? 0 : db::LinkUnclaimedPeopleToUser(conn, u.id, u.email);
    for (const auto& m : maintains) {
      auto p = db::FindProject(conn, m);
      if (!p) {
        std::fprintf(stderr, "patchbay: no project %s\n", m.c_str());
        return 1;
      }
      db::AddMaintainer(conn, p->id, u.id);
    }
    if (!token.empty()) db::SetToken(conn, u.id, token);
    db::BumpGeneration(conn);
    tx.Commit();
    std::printf("created user %lld %s", static_cast<long long>(u.id), u.username.c_str());
    if (linked > 0) std::printf(" (linked to %lld submitter address%s)", static_cast<long long>(linked), linked == 1 ? "" : "es");
    std::printf("\n");
    return 0;
  }
  if (verb == "list") {
    std::printf("%-4s %-20s %-30s %s\n", "id", "username", "email", "superuser");
    for (const auto& u : db::ListUsers(conn)) {
      std::printf("%-4lld %-20s %-30s %s\n", static_cast<long long>(u.id), u.username.c_str(),
                  u.email.c_str(), u.is_superuser ? "yes" : "no");
    }
    return 0;
  }
  if (verb == "token" && args.size() == 1) {
    auto u = db::FindUserByUsername(conn, args[0]);
    if (!u) {
      std::fprintf(stderr, "patchbay: no user %s\n", args[0].c_str());
      return 1;
    }
    std::string token = service::NewToken();
    db::SetToken(conn, u->id, token);
    std::printf("%s\n", token.c_str());
    return 0;
  }
  return UserAdmin(conn, verb, args);
}

}  // namespace

int User(const Args& in) { return RunVerbCommand(in, UserUsage(), UserVerb); }

int Retag(const Args& in) {
  Args args = in;
  auto conn = OpenMigrated(TakeDatabaseUrl(args));
  if (!conn) return 1;
  std::vector<db::Id> ids = db::AllPatchIds(*conn);
  db::Transaction tx(*conn);
  for (auto id : ids) service::RecountTags(*conn, id);
  db::BumpGeneration(*conn);
  tx.Commit();
  std::printf("retagged %zu patches\ndone\n", ids.size());
  return 0;
}

int Rehash(const Args& in) {
  Args args = in;
  auto conn = OpenMigrated(TakeDatabaseUrl(args));
  if (!conn) return 1;
  auto patches = db::AllPatchDiffs(*conn);
  db::Transaction tx(*conn);
  for (const auto& [id, diff] : patches) {
    db::SetPatchHash(*conn, id, parser::HashDiff(diff));
    service::RecountTags(*conn, id);
  }
  db::BumpGeneration(*conn);
  tx.Commit();
  std::printf("rehashed %zu patches\n", patches.size());
  return 0;
}

// The demo's mbox ships in the source tree: found from the working directory
// (scripts/demo.sh runs from the clone) or beside the build directory of the
// binary, so `build/patchbay demo` works from anywhere in a checkout.
std::string FindDemoMbox() {
  std::error_code ec;
  if (std::filesystem::is_regular_file("demo/demo.mbox", ec)) return "demo/demo.mbox";
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto beside = exe.parent_path().parent_path() / "demo" / "demo.mbox";
  if (std::filesystem::is_regular_file(beside, ec)) return beside.string();
  return {};
}

int Demo(const Args& in) {
  Args args = in;
  std::string url = TakeDatabaseUrl(args);
  std::string mbox = args.empty() ? FindDemoMbox() : args[0];
  std::error_code ec;
  // Checked before the project is made, so a failed demo leaves the database as it was.
  if (mbox.empty()) {
    std::fprintf(stderr,
                 "patchbay: the demo mbox (demo/demo.mbox of the source tree) is not here;\n"
                 "          run from the clone, or pass it: patchbay demo [--database URL] MBOX\n");
    return 1;
  }
  if (!std::filesystem::exists(mbox, ec)) {
    std::fprintf(stderr, "patchbay: no such mbox file or Maildir: %s\n", mbox.c_str());
    return 1;
  }
  auto conn = OpenMigrated(url);
  if (!conn) return 1;
  if (!db::FindProject(*conn, "patchbay")) {
    db::ProjectRow p;
    p.linkname = "patchbay";
    p.name = "patchbay demo";
    p.listid = "patchbay.lists.example.org";
    p.listemail = "patchbay@lists.example.org";
    p.web_url = "https://patchbay.example.org/";
    p.list_archive_url_format = "https://lists.example.org/patchbay/{}/";
    db::Transaction tx(*conn);
    db::InsertProject(*conn, p);
    db::BumpGeneration(*conn);
    tx.Commit();
    std::printf("created project patchbay (list id %s)\n", p.listid.c_str());
  }
  conn.reset();
  return ParseArchive({"--database", url, mbox});
}

}  // namespace pb::cli
