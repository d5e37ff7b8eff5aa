#!/usr/bin/env python3
"""Round trip: a real series made with `git format-patch --cover-letter
--thread` goes through `patchbay parsemail`, comes back as the series mbox
from `patchbay serve`, and `git am` applies it onto the original base. The
resulting tree must be identical (same tree hash) to the original, including
a non-ASCII author, a binary file, a rename and a mode change.

usage: roundtrip_git_am.py --binary build/patchbay
"""
import argparse
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
import testdb

LIST_ID = "roundtrip.lists.example.org"


def git(repo, *args, env=None, input=None):
    e = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=repo, **(env or {}))
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, env=e, input=input)
    if r.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode(errors="replace").strip()


def commit(repo, message, author, date):
    env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
           "GIT_COMMITTER_NAME": "Committer", "GIT_COMMITTER_EMAIL": "c@example.org",
           "GIT_COMMITTER_DATE": date}
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", message, env=env)


def make_series(repo):
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Committer")
    git(repo, "config", "user.email", "c@example.org")
    with open(os.path.join(repo, "README"), "w") as f:
        f.write("hello\nworld\n")
    with open(os.path.join(repo, "old-name.txt"), "w") as f:
        f.write("".join(f"line {i}\n" for i in range(40)))
    with open(os.path.join(repo, "run.sh"), "w") as f:
        f.write("#!/bin/sh\necho run\n")
    commit(repo, "Initial import", ("Base Author", "base@example.org"), "2024-01-01T10:00:00+00:00")
    base = git(repo, "rev-parse", "HEAD")

    with open(os.path.join(repo, "README"), "a") as f:
        f.write("Grüße aus Köln\n")
    commit(repo, "README: greet in German\n\nWith umlauts in the body: äöü.",
           ("Jörg Müller", "joerg@example.org"), "2024-01-02T10:00:00+01:00")
    with open(os.path.join(repo, "logo.bin"), "wb") as f:
        f.write(bytes(range(256)) * 4)
    commit(repo, "Add a binary logo", ("Ævar Arnfjörð", "avar@example.org"), "2024-01-02T11:00:00+00:00")
    git(repo, "mv", "old-name.txt", "new-name.txt")
    with open(os.path.join(repo, "new-name.txt"), "a") as f:
        f.write("one more line\n")
    commit(repo, "Rename old-name.txt and extend it", ("Plain Author", "plain@example.org"),
           "2024-01-02T12:00:00+00:00")
    os.chmod(os.path.join(repo, "run.sh"), 0o755)
    commit(repo, "run.sh: make it executable", ("Plain Author", "plain@example.org"),
           "2024-01-02T13:00:00+00:00")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    out = os.path.join(repo, "..", "patches")
    git(repo, "format-patch", "-q", "--cover-letter", "--thread=shallow", "--binary", "-o", out,
        f"{base}..HEAD")
    return base, tree, sorted(os.path.join(out, p) for p in os.listdir(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory(prefix="patchbay-roundtrip-") as tmp:
        repo = os.path.join(tmp, "repo")
        os.makedirs(repo)
        base, tree, patches = make_series(repo)
        db = testdb.new_url(tmp, "rt.db")

        def pb(*args, stdin=None):
            r = subprocess.run([binary, *args, "--database", db], capture_output=True, input=stdin, timeout=60)
            if r.returncode != 0:
                sys.exit(f"patchbay {' '.join(args)}: {r.stderr.decode(errors='replace')}")

        pb("project", "create", "--linkname", "rt", "--name", "Round trip", "--listid", LIST_ID,
           "--listemail", "rt@lists.example.org")
        for p in patches:
            with open(p, "rb") as f:
                mail = f.read()
            # What the list adds on its way to us.
            head, _, body = mail.partition(b"\n\n")
            pb("parsemail", stdin=head + f"\nList-Id: <{LIST_ID}>".encode() + b"\n\n" + body)

        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            base_url = re.search(r"(http://\S+/)", server.stdout.readline()).group(1)
            with urllib.request.urlopen(base_url + "series/1/mbox/") as r:
                mbox = r.read()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)

        checks = []
        with testdb.connect(db) as c:
            row = c.execute("SELECT received_total, total, cover_letter_id IS NOT NULL FROM series").fetchall()
        checks.append(("one complete series with its cover letter", row == [(4, 4, 1)]))
        clone = os.path.join(tmp, "clone")
        subprocess.run(["git", "clone", "-q", repo, clone], check=True, capture_output=True)
        git(clone, "checkout", "-q", base)
        git(clone, "config", "user.name", "Applier")
        git(clone, "config", "user.email", "applier@example.org")
        git(clone, "am", "-q", input=mbox)
        got_tree = git(clone, "rev-parse", "HEAD^{tree}")
        authors = git(clone, "log", "--format=%an <%ae>", f"{base}..HEAD").splitlines()
        subjects = git(clone, "log", "--format=%s", f"{base}..HEAD").splitlines()
        checks.append(("same tree after git am", got_tree == tree))
        checks.append(("four commits", len(authors) == 4))
        checks.append(("non-ASCII authors kept", "Jörg Müller <joerg@example.org>" in authors
                       and "Ævar Arnfjörð <avar@example.org>" in authors))
        checks.append(("subjects without [PATCH] prefixes",
                       subjects[-1] == "README: greet in German"))
        failed = 0
        for name, ok in checks:
            print(("ok   " if ok else "FAIL ") + name)
            failed += not ok
        if got_tree != tree:
            print(f"tree {got_tree} != {tree}\nauthors {authors}")
        print(f"{len(checks) - failed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
