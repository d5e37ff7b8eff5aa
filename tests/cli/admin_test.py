#!/usr/bin/env python3
"""The admin subcommands that replace upstream's admin site: every change
an admin makes without SQL, and a clear message (never a database error)
for every conflict.

usage: admin_test.py --binary build/patchbay
Last line: "N passed, M failed"."""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile

PATCH = """From: {sender}
To: demo@lists.example.org
Subject: [PATCH] {subject}
Date: Tue, 01 Aug 2023 17:10:0{n} +0000
Message-Id: <adm-{n}@example.com>
List-Id: <demo.lists.example.org>

Body.
---
diff --git a/f{n} b/f{n}
--- a/f{n}
+++ b/f{n}
@@ -1 +1 @@
-a
+b
"""


class Cli:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.db = os.path.join(tmp, "admin.db")

    def run(self, *args, stdin=None, cwd=None):
        r = subprocess.run([self.binary, *args, "--database", "sqlite://" + self.db],
                           input=stdin.encode() if stdin else None, capture_output=True, timeout=60,
                           cwd=cwd)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def sql(self, query, *params):
        with sqlite3.connect(self.db) as c:
            return c.execute(query, params).fetchall()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s %s" % (name, detail))

    with tempfile.TemporaryDirectory() as tmp:
        c = Cli(os.path.abspath(args.binary), tmp)
        c.run("project", "create", "--linkname", "demo", "--name", "Demo",
              "--listid", "demo.lists.example.org", "--listemail", "demo@lists.example.org")
        c.run("project", "create", "--linkname", "other", "--name", "Other",
              "--listid", "other.lists.example.org", "--listemail", "other@lists.example.org")
        for n, sender in ((1, "Jane <jane@example.com>"), (2, "Jane D <jane.doe@example.com>"),
                          (3, "Spam <spam@example.com>")):
            rc, _, err = c.run("parsemail", stdin=PATCH.format(n=n, sender=sender, subject="p%d" % n))
            check("parsemail %d" % n, rc == 0, err)

        # user create links the submitter rows of its address; duplicates are clear.
        rc, out, err = c.run("user", "create", "--username", "jane", "--email", "Jane@example.com",
                             "--password", "pw")
        check("user create links people", rc == 0 and "linked to 1 submitter address" in out, (out, err))
        check("person row linked", c.sql("SELECT u.username FROM people p JOIN users u ON u.id = p.user_id "
                                         "WHERE p.email = 'jane@example.com'") == [("jane",)])
        rc, out, err = c.run("user", "create", "--username", "jane", "--email", "x@example.com")
        check("duplicate user create", rc == 1 and err == "patchbay: a user named jane already exists\n",
              err)
        c.run("user", "create", "--username", "bob", "--email", "bob@example.com", "--password", "pw")

        # Projects: edit every field, conflicts, show, maintainers, rules.
        rc, out, err = c.run("project", "edit", "demo", "--name", "Demo Project", "--subject-match",
                             r"\[demo\]", "--web-url", "https://demo.example.org/", "--scm-url", "git://x",
                             "--webscm-url", "https://git.example.org/", "--list-archive-url",
                             "https://lore.example.org/demo/", "--list-archive-url-format",
                             "https://lore.example.org/r/{}", "--commit-url-format",
                             "https://git.example.org/c/{}", "--send-notifications", "yes",
                             "--use-tags", "no")
        check("project edit", rc == 0, err)
        rc, out, err = c.run("project", "show", "demo")
        check("project show", "name: Demo Project" in out and "send_notifications: yes" in out and
              "use_tags: no" in out and "commit_url_format: https://git.example.org/c/{}" in out, out)
        rc, _, err = c.run("project", "edit", "demo", "--name", "Other")
        check("project name clash", rc == 1 and "already has the name 'Other'" in err, err)
        rc, _, err = c.run("project", "edit", "demo", "--linkname", "other")
        check("project linkname clash", rc == 1 and "already has the linkname other" in err, err)
        rc, _, err = c.run("project", "edit", "demo", "--send-notifications", "maybe")
        check("bad yes/no", rc == 1 and "take yes or no" in err, err)
        rc, _, err = c.run("project", "edit", "nosuch", "--name", "x")
        check("unknown project", rc == 1 and "no project 'nosuch'" in err, err)
        c.run("project", "maintainer", "demo", "bob")
        rc, out, _ = c.run("project", "maintainers", "demo")
        check("maintainers list", out == "bob <bob@example.com>\n", out)
        rc, out, _ = c.run("project", "unmaintainer", "demo", "bob")
        check("maintainer removed", rc == 0 and c.run("project", "maintainers", "demo")[1] == "")
        rc, _, err = c.run("project", "unmaintainer", "demo", "bob")
        check("removing a non-maintainer", rc == 1 and "bob does not maintain demo" in err, err)
        c.run("project", "delegate", "demo", "drivers/*", "bob", "5")
        c.run("project", "delegate", "demo", "net/*", "jane", "1")
        rc, out, _ = c.run("project", "rules", "demo")
        lines = out.splitlines()
        check("rules in order", len(lines) == 3 and "drivers/*" in lines[1] and "net/*" in lines[2], out)
        c.run("project", "rule-priority", "demo", "net/*", "9")
        rc, out, _ = c.run("project", "rules", "demo")
        check("rule reordered", out.splitlines()[1].startswith("9 ") and "net/*" in out.splitlines()[1], out)
        rc, _, err = c.run("project", "undelegate", "demo", "nope/*")
        check("unknown rule", rc == 1 and "no delegation rule for 'nope/*'" in err, err)
        rc, _, _ = c.run("project", "undelegate", "demo", "drivers/*")
        check("rule removed", rc == 0 and "drivers" not in c.run("project", "rules", "demo")[1])

        # States and tags.
        rc, out, err = c.run("state", "add", "Needs Tests", "--action-required", "yes")
        check("state add", rc == 0 and "needs-tests" in out, (out, err))
        rc, _, err = c.run("state", "add", "Needs Tests")
        check("state clash", rc == 1 and "already has the slug needs-tests" in err, err)
        c.run("state", "edit", "needs-tests", "--name", "Needs More Tests")
        rc, out, _ = c.run("state", "list")
        check("state list", "Needs More Tests" in out, out)
        rc, _, err = c.run("state", "delete", "new")
        check("state in use refused", rc == 1 and "patches are in state New" in err, err)
        rc, out, err = c.run("state", "delete", "new", "--move-to", "needs-tests")
        check("state delete with move", rc == 0 and c.sql(
            "SELECT COUNT(*) FROM patches p JOIN states s ON s.id = p.state_id WHERE s.slug = 'needs-tests'")
              == [(3,)], err)
        rc, out, err = c.run("tag", "add", "Suggested-by", "--pattern", "^Suggested-by:", "--abbrev", "S")
        check("tag add", rc == 0, err)
        rc, _, err = c.run("tag", "add", "Suggested-by", "--pattern", "x", "--abbrev", "S")
        check("tag clash", rc == 1 and "a tag named Suggested-by exists" in err, err)
        c.run("tag", "edit", "Suggested-by", "--show-column", "no")
        rc, out, _ = c.run("tag", "list")
        check("tag list", any("Suggested-by" in l and " no " in l for l in out.splitlines()), out)
        rc, _, _ = c.run("tag", "delete", "Suggested-by")
        check("tag delete", rc == 0 and "Suggested" not in c.run("tag", "list")[1])

        # Users.
        rc, _, err = c.run("user", "edit", "bob", "--email", "jane@example.com")
        check("email of another user refused", rc == 1 and "belongs to user jane" in err, err)
        rc, out, _ = c.run("user", "edit", "bob", "--superuser", "yes", "--first-name", "Bob")
        check("user edit", rc == 0 and c.sql("SELECT is_superuser, first_name FROM users WHERE username='bob'")
              == [(1, "Bob")])
        rc, _, _ = c.run("user", "password", "bob", stdin="new secret\n")
        check("password from stdin", rc == 0)
        rc, _, err = c.run("user", "password", "bob", stdin="\n")
        check("empty password refused", rc == 1 and "empty password" in err, err)
        c.run("project", "delegate", "demo", "*", "bob", "0")
        c.sql("UPDATE patches SET delegate_id = (SELECT id FROM users WHERE username='bob')")
        rc, _, err = c.run("user", "delete", "bob")
        check("delete of a delegate refused", rc == 1 and "is the delegate of 3 patches" in err, err)
        rc, out, err = c.run("user", "deactivate", "bob")
        check("deactivate", rc == 0 and c.sql("SELECT is_active FROM users WHERE username='bob'") == [(0,)], err)
        rc, out, err = c.run("user", "delete", "bob", "--undelegate")
        check("delete with undelegate keeps patches", rc == 0 and c.sql("SELECT COUNT(*) FROM patches") == [(3,)],
              err)

        # People: list, link, merge.
        rc, out, _ = c.run("person", "list", "example.com")
        check("person list", "spam@example.com" in out and "jane" in out, out)
        ids = dict(c.sql("SELECT email, id FROM people"))
        rc, _, err = c.run("person", "link", str(ids["jane.doe@example.com"]), "jane")
        check("person link", rc == 0, err)
        rc, _, err = c.run("person", "merge", str(ids["jane.doe@example.com"]), str(ids["jane@example.com"]))
        check("person merge", rc == 0 and c.sql("SELECT COUNT(*) FROM patches WHERE submitter_id = ?",
                                                ids["jane@example.com"]) == [(2,)], err)
        rc, _, err = c.run("person", "merge", "999", "1")
        check("merge unknown person", rc == 1 and "no person 999" in err, err)

        # Spam.
        spam = c.sql("SELECT id FROM patches WHERE name LIKE '%p3'")[0][0]
        rc, _, err = c.run("patch", "delete", str(spam), "9999")
        check("delete with an unknown id deletes nothing", rc == 1 and "no patch 9999" in err and
              c.sql("SELECT COUNT(*) FROM patches") == [(3,)], err)
        rc, out, err = c.run("patch", "delete", str(spam))
        check("spam patch deleted", rc == 0 and c.sql("SELECT COUNT(*) FROM patches") == [(2,)], err)
        series = c.sql("SELECT series_id FROM patches ORDER BY id LIMIT 1")[0][0]
        rc, out, err = c.run("series", "delete", str(series))
        check("series deleted with its patches", rc == 0 and "with 1 patches" in out, (out, err))

        # Projects go last: with patches only when asked.
        rc, _, err = c.run("project", "delete", "demo")
        check("project delete refused", rc == 1 and "has 1 patches" in err, err)
        rc, _, err = c.run("project", "delete", "demo", "--with-patches")
        check("project deleted", rc == 0 and c.sql("SELECT COUNT(*) FROM patches") == [(0,)], err)

    # The demo: a missing mbox changes nothing; from outside the clone the binary
    # finds the source tree's demo/demo.mbox beside its build directory.
    with tempfile.TemporaryDirectory() as tmp:
        c = Cli(os.path.abspath(args.binary), tmp)
        rc, _, err = c.run("demo", os.path.join(tmp, "missing.mbox"), cwd=tmp)
        check("demo with a missing mbox", rc == 1 and "no such mbox" in err and
              not os.path.exists(c.db), err)
        demo_mbox = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.binary))),
                                 "demo", "demo.mbox")
        if os.path.isfile(demo_mbox):
            rc, out, err = c.run("demo", cwd=tmp)
            check("demo from outside the clone", rc == 0 and
                  c.sql("SELECT linkname FROM projects") == [("patchbay",)] and
                  c.sql("SELECT COUNT(*) FROM patches")[0][0] > 0, (out, err))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
