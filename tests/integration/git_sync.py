#!/usr/bin/env python3
"""`patchbay git-sync` against real git repositories (issue #14, part 2).

1. A maintainer's tree built in the test: patches are made with
   `git format-patch`, ingested with `parsemail`, then applied to the tree
   with the edits maintainers make (a Link:/Message-Id: trailer on a changed
   diff, a reworded message at another offset, fixed whitespace, a rebase
   that changed the context, a v1 and a v2, a patch already rejected, the
   same patch in another project, a look-alike never merged, a patch
   rebased and reworded on the way). The tree is
   pushed to a bare repository whose post-receive hook is
   docs/git-sync-post-receive.sh; each patch must end in the state, with the
   commit and through the rule expected, with one patch-state-changed event
   per change, and a second run (from the cursor, and with --since) must
   change nothing.
2. The generated corpus (tests/integration/gitsync_corpus.py): this
   project's own history posted and merged again (a synthetic one when the
   clone is shallow); precision must be 100 %.

usage: git_sync.py --binary build/patchbay --source .
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gitsync_corpus  # noqa: E402
import testdb  # noqa: E402

ANN = ("Ann Dev", "ann@example.org")
BOB = ("Bob Hacker", "bob@example.org")
CAROL = ("Carol Maint", "carol@example.org")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def git(repo, *args, author=None, date=None, input=None, env=None):
    e = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
             GIT_COMMITTER_NAME=CAROL[0], GIT_COMMITTER_EMAIL=CAROL[1], **(env or {}))
    if author:
        e.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
    if date:
        e.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=e, input=input)
    if r.returncode != 0:
        sys.exit("git %s failed: %s" % (" ".join(args), r.stderr))
    return r.stdout.strip() + ("\n" + r.stderr.strip() if args[0] == "push" else "")


def write_lines(repo, name, lines):
    with open(os.path.join(repo, name), "w") as f:
        f.write("".join(l + "\n" for l in lines))


def read_lines(repo, name):
    return open(os.path.join(repo, name)).read().splitlines()


def edit(repo, name, line_no, text):
    lines = read_lines(repo, name)
    lines[line_no - 1] = text
    write_lines(repo, name, lines)


def commit(repo, message, author, date):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, author=author, date=date)
    return git(repo, "rev-parse", "HEAD")


class Posting:
    """One patch mailed to a list: made on a branch of its own off `base`."""

    def __init__(self, t, work, base, name, author, date, changes, subject, list_id="gs.example.org",
                 prefix="PATCH"):
        git(work, "checkout", "-q", "-B", "post-" + name, base)
        for f, line_no, text in changes:
            edit(work, f, line_no, text)
        commit(work, subject, author, date)
        out = git(work, "format-patch", "-1", "--stdout", "--thread", "--subject-prefix=" + prefix,
                  "--add-header=List-Id: <%s>" % list_id, "--to=list@example.org", "HEAD")
        self.mail = out.split("\n", 1)[1] + "\n"  # without the mbox From_ line
        self.msgid = [l.split(":", 1)[1].strip() for l in self.mail.splitlines()
                      if l.lower().startswith("message-id:")][0]
        t.pb("parsemail", input=self.mail)
        self.name = name


class Test:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.db = testdb.new_url(tmp, "gitsync.db")
        self.env = dict(os.environ, PATCHBAY_DATABASE=self.db)

    def pb(self, *args, input=None, ok=True):
        r = subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env, input=input)
        if ok and r.returncode != 0:
            sys.exit("patchbay %s failed (%d): %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def rows(self, sql, *params):
        conn = testdb.connect(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def patch(self, msgid, project="gs"):
        r = self.rows("SELECT s.slug, p.commit_ref, p.id FROM patches p JOIN states s ON s.id = p.state_id "
                      "JOIN projects pr ON pr.id = p.project_id WHERE p.msgid = ? AND pr.linkname = ?",
                      msgid, project)
        return r[0] if r else (None, None, None)

    def rule(self, patch_id):
        r = self.rows("SELECT rule, commit_sha, action FROM patch_git_matches WHERE patch_id = ?", patch_id)
        return r[0] if r else (None, None, None)

    def state_events(self):
        return self.rows("SELECT COUNT(*) FROM events WHERE category = 'patch-state-changed'")[0][0]


def crafted(t, source):
    tmp = t.tmp
    t.pb("project", "create", "--linkname", "gs", "--name", "GS", "--listid", "gs.example.org",
         "--listemail", "gs@example.org")
    t.pb("project", "create", "--linkname", "other", "--name", "Other", "--listid", "other.example.org",
         "--listemail", "other@example.org")
    work = os.path.join(tmp, "work")
    tree = os.path.join(tmp, "tree.git")
    git(tmp, "init", "-q", "-b", "main", work)
    git(tmp, "init", "-q", "--bare", "-b", "main", tree)
    hook = os.path.join(tree, "hooks", "post-receive")
    shutil.copy(os.path.join(source, "docs", "git-sync-post-receive.sh"), hook)
    os.chmod(hook, 0o755)
    git(tree, "config", "patchbay.project", "gs")
    git(tree, "config", "patchbay.database", t.db)
    git(tree, "config", "patchbay.binary", t.binary)
    git(tree, "config", "patchbay.branch", "main")
    for f in ("a.c", "b.c", "c.c"):
        write_lines(work, f, ["/* %s line %d */ int %s_%d;" % (f, i, f[0], i) for i in range(1, 41)])
    base = commit(work, "Initial import", CAROL, "2024-01-01T10:00:00Z")
    git(work, "push", "-q", tree, "main")

    day = lambda d: "2024-01-%02dT10:00:00Z" % d
    # Postings, all made on `base`.
    trailer = Posting(t, work, base, "trailer", ANN, day(2), [("a.c", 5, "int a5 = helper();")], "a: use helper")
    msgid_tr = Posting(t, work, base, "msgid", BOB, day(2), [("c.c", 30, "int c30 = tidy();")], "c: tidy")
    hashp = Posting(t, work, base, "hash", BOB, day(2), [("b.c", 30, "int b30 = n - 1;")], "b: fix off-by-one")
    other = Posting(t, work, base, "hash", BOB, day(2), [("b.c", 30, "int b30 = n - 1;")], "b: fix off-by-one",
                    list_id="other.example.org")
    ws = Posting(t, work, base, "ws", ANN, day(2), [("a.c", 20, "int  x  =  1;")], "a: set x")
    heur = Posting(t, work, base, "heur", ANN, day(2), [("c.c", 10, "int counter;")], "c: rename counter")
    v1 = Posting(t, work, base, "v1", BOB, day(2), [("b.c", 15, "int limit = 10;")], "b: add limit")
    v2 = Posting(t, work, base, "v2", BOB, day(3), [("b.c", 15, "int limit = 10;")],
                 "b: add limit\n\nv2: better message.", prefix="PATCH v2")
    rejected = Posting(t, work, base, "rej", ANN, day(2), [("a.c", 35, "/* dead */")], "a: drop dead code")
    never = Posting(t, work, base, "never", ANN, day(2), [("c.c", 10, "int counter_ng;")], "c: rethink counter")
    lines_p = Posting(t, work, base, "lines", BOB, day(2), [("c.c", 20, "int c20 = rebased();")], "c: first try")
    late = Posting(t, work, base, "late", BOB, day(2), [("b.c", 38, "int late = 1;")], "b: late fix")
    t.rows("SELECT 1")
    conn = testdb.connect(t.db)
    conn.execute("UPDATE patches SET state_id = (SELECT id FROM states WHERE slug = 'rejected') WHERE msgid = ?",
                 (rejected.msgid,))
    conn.commit()
    conn.close()

    # The maintainer's tree, applied with edits.
    git(work, "checkout", "-q", "main")
    edit(work, "a.c", 5, "int a5 = helper(0);")
    edit(work, "a.c", 6, "int a6 = helper(1);")
    link_sha = commit(work, "a: use the helper twice\n\nLink: https://lore.kernel.org/r/%s/" % trailer.msgid[1:-1],
                      ANN, day(4))
    edit(work, "c.c", 30, "int c30 = tidy(1);")
    msgid_sha = commit(work, "c: tidy up\n\nMessage-Id: %s" % msgid_tr.msgid, BOB, day(4))
    lines = read_lines(work, "b.c")
    write_lines(work, "b.c", ["/* a new header */"] * 3 + lines)  # moves the off-by-one fix 3 lines down
    commit(work, "b: add a header", CAROL, day(4))
    edit(work, "b.c", 33, "int b30 = n - 1;")
    hash_sha = commit(work, "b: fix an off-by-one in the loop\n\nReviewed-by: Rita <rita@example.org>", BOB, day(4))
    edit(work, "a.c", 20, "int x = 1;")
    ws_sha = commit(work, "a: set x", ANN, day(4))
    edit(work, "c.c", 12, "/* the context moved on */")
    commit(work, "c: comment", CAROL, day(4))
    edit(work, "c.c", 10, "int counter;")
    heur_sha = commit(work, "c: rename counter\n\nSigned-off-by: Carol Maint <carol@example.org>", ANN, day(4))
    edit(work, "c.c", 22, "/* context changed again */")
    commit(work, "c: another comment", CAROL, day(4))
    edit(work, "c.c", 20, "int c20 = rebased();")
    lines_sha = commit(work, "c: call rebased() for c20\n\nReworded by the maintainer.", BOB, day(4))
    edit(work, "b.c", 18, "int limit = 10;")
    v_sha = commit(work, "b: add limit", BOB, day(4))
    edit(work, "a.c", 35, "/* dead */")
    rej_sha = commit(work, "a: drop dead code", ANN, day(4))
    pushed = git(work, "push", tree, "main")
    check("accepted" in pushed and "git-sync:" in pushed, "the post-receive hook ran git-sync: " +
          pushed.splitlines()[-1])

    expect = [(trailer, "accepted", link_sha, "trailer"), (msgid_tr, "accepted", msgid_sha, "trailer"),
              (hashp, "accepted", hash_sha, "hash"), (ws, "accepted", ws_sha, "patch-id"),
              (heur, "accepted", heur_sha, "heuristic"), (lines_p, "accepted", lines_sha, "changed-lines"), (v2, "accepted", v_sha, "hash"),
              (v1, "superseded", None, "hash")]
    for p, state, sha, rule in expect:
        got = t.patch(p.msgid)
        check(got[0] == state and got[1] == sha, "%s: %s with commit %s (got %s, %s)" % (p.name, state, sha, got[0], got[1]))
        r = t.rule(got[2])
        check(r[0] == rule, "%s: matched by %s (got %s)" % (p.name, rule, r[0]))
    got = t.patch(rejected.msgid)
    check(got[0] == "rejected" and got[1] is None, "a rejected patch stays rejected, without commit (%s)" % (got,))
    check(t.rule(got[2])[2] == "unchanged" and t.rule(got[2])[1] == rej_sha, "its match is recorded as unchanged")
    check(t.patch(never.msgid)[0] == "new", "a look-alike never merged stays new")
    check(t.patch(late.msgid)[0] == "new", "a patch not merged yet stays new")
    check(t.patch(other.msgid, "other")[0] == "new", "the same patch in another project stays new")
    check(t.state_events() == 8, "one patch-state-changed event per change (%d)" % t.state_events())
    events = t.rows("SELECT e.previous_state_id, e.current_state_id FROM events e JOIN patches p "
                    "ON p.id = e.patch_id WHERE e.category = 'patch-state-changed' AND p.msgid = ?", v1.msgid)
    check(events == [(1, 9)], "v1's event: new -> superseded (%s)" % events)

    out = t.pb("git-sync", "--project", "gs", "--repo", tree)
    check("0 commits read" in out, "a second run starts at the hook's cursor: " + out.strip())
    out = t.pb("git-sync", "--project", "gs", "--repo", tree, "--since", base)
    check("0 matched" in out and t.state_events() == 8, "re-running over the same commits changes nothing: " + out.strip())

    git(work, "checkout", "-q", "main")
    edit(work, "b.c", 41, "int late = 1;")
    late_sha = commit(work, "b: late fix", BOB, day(5))
    pushed = git(work, "push", tree, "main")
    check("1 commits read" in pushed, "a second push syncs only the pushed range")
    check(t.patch(late.msgid)[:2] == ("accepted", late_sha), "the late fix is accepted by the hook")

    report = t.pb("git-sync", "--project", "gs", "--report")
    check("heuristic" in report and "patch-id" in report and "trailer" in report,
          "--report lists the matches with their rules")
    bad = subprocess.run([t.binary, "git-sync", "--project", "gs", "--repo", tree, "--since", "nope"],
                         capture_output=True, text=True, env=t.env)
    check(bad.returncode == 1 and "unknown revision" in bad.stderr, "an unknown --since is an error")
    bad = subprocess.run([t.binary, "git-sync", "--project", "gs", "--repo", tree, "--hook"], input="x y z\n",
                         capture_output=True, text=True, env=t.env)
    check(bad.returncode == 2, "a malformed hook line is refused")


def corpus(binary, source, tmp):
    repo = source
    if not gitsync_corpus.usable_history(source, 60):
        repo = os.path.join(tmp, "synthetic")
        os.makedirs(repo)
        gitsync_corpus.synthetic_history(repo, 150)
        print("note: %s has no usable history (shallow or short); a synthetic one is used" % source)
    work = os.path.join(tmp, "corpus")
    os.makedirs(work)
    r = gitsync_corpus.run(binary, repo, work, testdb.new_url(work, "corpus.db"), max_commits=150)
    print("corpus: %d commits, %d postings, precision %.4f, recall %.4f (%.4f without the %d modified "
          "when applied), by rule %s" % (r["commits_synced"], r["postings"], r["precision"], r["recall"],
                                          r["recall_matchable"], r["modified"], r["by_rule"]))
    check(r["precision"] == 1.0, "corpus: precision 100 %% (wrong: %s)" % r["wrong"])
    check(r["recall_matchable"] >= 0.98, "corpus: recall >= 98 %% of the postings not modified when applied "
          "(missed: %s)" % r["misses"])
    check(not r["not_stored"], "corpus: every posting was stored")
    check(" 0 matched" in r["rerun"], "corpus: re-running changes nothing (%s)" % r["rerun"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    binary, source = os.path.abspath(a.binary), os.path.abspath(a.source)
    tmp = tempfile.mkdtemp(prefix="pb-gitsync-")
    try:
        crafted(Test(binary, tmp), source)
        corpus(binary, source, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
