// Rebuilds upstream's golden database state (shared/golden/SETUP.md) in a
// TempDb: the same projects, users, tokens, and mails ingested in the same
// order, so ids match upstream's answers.
#pragma once

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "db/projects.h"
#include "db/users.h"
#include "mail/mailbox.h"
#include "service/ingest.h"
#include "service/passwords.h"
#include "test_util.h"

namespace pb::testing {

struct GoldenLine {
  std::string file, expected;
  std::vector<service::IngestResult> results;
};

inline std::vector<GoldenLine> BuildGoldenState(db::Connection& c) {
  db::ProjectRow q;
  q.linkname = "qemu-devel";
  q.name = "QEMU Development";
  q.listid = "qemu-devel.nongnu.org";
  q.listemail = "qemu-devel@nongnu.org";
  q.web_url = "https://www.qemu.org/";
  q.scm_url = "https://gitlab.com/qemu-project/qemu.git";
  q.webscm_url = "https://gitlab.com/qemu-project/qemu";
  q.list_archive_url = "https://lore.kernel.org/qemu-devel/";
  q.list_archive_url_format = "https://lore.kernel.org/qemu-devel/{}/";
  q.commit_url_format = "https://gitlab.com/qemu-project/qemu/-/commit/{}";
  db::InsertProject(c, q);
  db::ProjectRow p;
  p.linkname = "patchwork";
  p.name = "Patchwork";
  p.listid = "patchwork.lists.ozlabs.org";
  p.listemail = "patchwork@lists.ozlabs.org";
  p.web_url = "http://jk.ozlabs.org/projects/patchwork/";
  p.scm_url = "git://github.com/getpatchwork/patchwork";
  p.webscm_url = "https://github.com/getpatchwork/patchwork";
  db::InsertProject(c, p);
  db::UserRow admin;
  admin.username = "admin";
  admin.email = "admin@example.com";
  admin.first_name = "Ada";
  admin.last_name = "Admin";
  admin.is_superuser = admin.is_staff = true;
  db::Id admin_id = db::InsertUser(c, admin, service::HashPassword("admin"));
  db::AddMaintainer(c, 1, admin_id);
  db::AddMaintainer(c, 2, admin_id);
  db::SetToken(c, admin_id, "0123456789abcdef0123456789abcdef01234567");
  db::UserRow bob;
  bob.username = "bob";
  bob.email = "bob@example.com";
  db::Id bob_id = db::InsertUser(c, bob, service::HashPassword("bob"));
  db::SetToken(c, bob_id, "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0");

  std::vector<GoldenLine> lines;
  std::istringstream seq(ReadFile(SharedDir() + "/golden/ingest/golden-ingest-sequence.txt"));
  std::string line;
  std::regex re(R"(^(\S+)\s+->\s+(\S+)\s+(.*)$)");
  while (std::getline(seq, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    GoldenLine g{m[1], m[3], {}};
    std::string project = m[2];
    std::string path = g.file.rfind("inputs/", 0) == 0 ? SharedDir() + "/golden/" + g.file
                                                        : SharedDir() + "/corpus/patchwork-fixtures/" + g.file;
    service::IngestOptions o;
    o.list_id = project == "qemu-devel" ? "qemu-devel.nongnu.org" : "patchwork.lists.ozlabs.org";
    bool archive = g.file.rfind("series/", 0) == 0 || g.file == "inputs/pwref-series.mbox" ||
                   g.file == "inputs/pwref-replies.mbox";
    if (archive) {
      mail::ForEachMessage(path, [&](std::string_view raw) {
        g.results.push_back(service::IngestMail(c, raw, o));
        return true;
      });
    } else {
      o.universal_newlines = true;  // parsemail
      g.results.push_back(service::IngestMail(c, ReadFile(path), o));
    }
    lines.push_back(std::move(g));
  }
  return lines;
}

}  // namespace pb::testing
