#!/usr/bin/env python3
"""Black-box tests of the patchbay command line: the admin commands, parsemail
and parsearchive exit codes and output, failed-mail keeping, and concurrent
delivery of one series by several parsemail processes.

usage: cli_test.py --binary build/patchbay
"""
import argparse
import concurrent.futures
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import testdb  # noqa: E402

DIFF = """---
 README | 1 +
 1 file changed, 1 insertion(+)

diff --git a/README b/README
index 1111111..2222222 100644
--- a/README
+++ b/README
@@ -1 +1,2 @@
 hello
+world {n}
"""


def mail(msgid, subject, body, extra="", date="Tue, 01 Aug 2023 17:10:01 +0000",
         list_id="demo.lists.example.org", sender="Jane Doe <jane@example.com>"):
    return (f"From: {sender}\nTo: demo@lists.example.org\nSubject: {subject}\n"
            f"Date: {date}\nMessage-Id: {msgid}\nList-Id: <{list_id}>\n{extra}\n{body}")


class Cli:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.url = testdb.new_url(tmp, "cli.db")

    def run(self, *args, stdin=None):
        return subprocess.run([self.binary, *args, "--database", self.url],
                              input=stdin.encode() if isinstance(stdin, str) else stdin,
                              capture_output=True, timeout=60)

    def sql(self, query, *params):
        with testdb.connect(self.url) as c:
            return c.execute(query, params).fetchall()


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def admin_commands(cli):
    r = cli.run("project", "create", "--linkname", "demo", "--name", "Demo",
                "--listid", "demo.lists.example.org", "--listemail", "demo@lists.example.org")
    assert r.returncode == 0, r.stderr
    r = cli.run("project", "list")
    assert b"demo.lists.example.org" in r.stdout, r.stdout
    r = cli.run("user", "create", "--username", "alice", "--email", "alice@example.com",
                "--password", "pw", "--maintainer", "demo")
    assert r.returncode == 0, r.stderr
    r = cli.run("user", "token", "alice")
    token = r.stdout.decode().strip()
    assert r.returncode == 0 and len(token) == 40, r
    assert cli.sql("SELECT key FROM tokens") == [(token,)]
    r = cli.run("project", "create", "--linkname", "bad slug!", "--listid", "x", "--listemail", "y")
    assert r.returncode != 0
    r = cli.run("project", "create", "--linkname", "demo", "--name", "Other",
                "--listid", "other", "--listemail", "o@example.com")
    assert r.returncode == 1 and r.stderr == b"patchbay: project demo already has the linkname demo\n", r.stderr


@test
def help_lists_commands_and_explains_one(cli):
    r = subprocess.run([cli.binary, "help"], capture_output=True, timeout=60)
    assert r.returncode == 0 and b"git-sync" in r.stderr, r
    r = subprocess.run([cli.binary, "help", "webhook"], capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith(b"usage: patchbay webhook "), r
    r = subprocess.run([cli.binary, "help", "nonsense"], capture_output=True, timeout=60)
    assert r.returncode == 2 and b"unknown command 'nonsense'" in r.stderr, r


@test
def parsemail_stores_then_reports_duplicate(cli):
    m = mail("<p1@example.com>", "[PATCH] Add world", "Body.\n\n" + DIFF.format(n=1))
    r = cli.run("parsemail", stdin=m)
    assert r.returncode == 0, r.stderr
    assert cli.sql("SELECT name, length(hash) FROM patches") == [("Add world", 40)]
    r = cli.run("parsemail", stdin=m)
    assert r.returncode == 0 and b"Duplicate mail for message ID <p1@example.com>" in r.stderr, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM patches") == [(1,)]


@test
def parsemail_drops_unknown_list_with_exit_0(cli):
    r = cli.run("parsemail", stdin=mail("<u1@example.com>", "[PATCH] x", DIFF.format(n=2),
                                        list_id="unknown.example.org"))
    assert r.returncode == 0, r.stderr
    assert b"no project found" in r.stderr, r.stderr
    r = cli.run("parsemail", "--list-id", "demo.lists.example.org",
                stdin=mail("<u1@example.com>", "[PATCH] x", DIFF.format(n=2),
                           list_id="unknown.example.org"))
    assert r.returncode == 0 and cli.sql("SELECT COUNT(*) FROM patches WHERE msgid = '<u1@example.com>'") == [(1,)]


@test
def broken_mail_fails_and_is_kept(cli):
    raw = "From: a@example.com\nSubject: [PATCH] no id\nList-Id: <demo.lists.example.org>\n\n" + DIFF.format(n=3)
    r = cli.run("parsemail", stdin=raw)
    assert r.returncode == 1, r
    assert b"Message-Id" in r.stderr or b"Message-ID" in r.stderr, r.stderr
    r = cli.run("failed", "list")
    assert r.returncode == 0 and b"Message-I" in r.stdout, r.stdout
    fid = r.stdout.split()[0].decode()
    r = cli.run("failed", "show", fid)
    assert r.stdout == raw.encode(), r.stdout
    r = cli.run("failed", "retry", fid)
    assert r.returncode == 1  # still broken: stays in the list
    assert cli.sql("SELECT resolved FROM failed_mails WHERE id = ?", int(fid)) == [(0,)]


@test
def non_utf8_body_is_stored(cli):
    raw = mail("<latin1@example.com>", "[PATCH] latin", "Gr\xfc\xdfe\n\n" + DIFF.format(n=4)).encode("latin-1")
    r = cli.run("parsemail", stdin=raw)
    assert r.returncode == 0, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM patches WHERE msgid = '<latin1@example.com>'") == [(1,)]


@test
def nul_bytes_are_dropped_from_text_and_the_mail_stored(cli):
    # PostgreSQL text cannot hold NUL: both backends drop it from every text
    # field (Message-ID, an RFC 2047 subject, the body), and the mail is stored.
    raw = mail("<nul\0id@example.com>", "[PATCH] =?utf-8?q?n=00ul?= subject",
               "Body\0 text.\n\n" + DIFF.format(n=5)).encode()
    r = cli.run("parsemail", stdin=raw)
    assert r.returncode == 0, r.stderr
    rows = cli.sql("SELECT msgid, name, content FROM patches WHERE msgid LIKE '<nul%'")
    assert len(rows) == 1 and rows[0][:2] == ("<nulid@example.com>", "nul subject"), rows
    assert rows[0][2].startswith("Body text.\n") and "\0" not in rows[0][2], rows
    r = cli.run("parsemail", stdin=raw)  # the same mail again is a duplicate, not a failure
    assert r.returncode == 0 and b"Duplicate" in r.stderr, r.stderr


@test
def parsearchive_summary_and_errors(cli):
    tmp = cli.tmp
    path = os.path.join(tmp, "a.mbox")
    mails = [
        mail("<a0@example.com>", "[PATCH 0/2] Series", "Cover.\n", date="Tue, 01 Aug 2023 18:00:00 +0000"),
        mail("<a1@example.com>", "[PATCH 1/2] One", DIFF.format(n=5),
             "In-Reply-To: <a0@example.com>\nReferences: <a0@example.com>\n", date="Tue, 01 Aug 2023 18:00:01 +0000"),
        mail("<a2@example.com>", "[PATCH 2/2] Two", DIFF.format(n=6),
             "In-Reply-To: <a0@example.com>\nReferences: <a0@example.com>\n", date="Tue, 01 Aug 2023 18:00:02 +0000"),
        mail("<a3@example.com>", "Re: [PATCH 1/2] One", "Reviewed-by: R <r@example.com>\n",
             "In-Reply-To: <a1@example.com>\nReferences: <a0@example.com> <a1@example.com>\n"),
        mail("<a1@example.com>", "[PATCH 1/2] One", DIFF.format(n=5)),
        mail("<a4@example.com>", "Re: nothing", "who?\n", "In-Reply-To: <nope@example.com>\n"),
    ]
    with open(path, "w") as f:
        for m in mails:
            f.write("From nobody Mon Jan  1 00:00:00 2024\n" + m + "\n")
    r = cli.run("parsearchive", path)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    expected = ("Processed 6 messages -->\n"
                "     1 cover letters\n"
                "     2 patches\n"
                "     1 comments\n"
                "     1 duplicates\n"
                "     0 dropped\n"
                "     1 held until the mail they answer arrives\n"
                "     0 errors\n"
                "Total: 4 new entries\n")
    assert out == expected, out
    assert cli.sql("SELECT name, received_total, total FROM series WHERE cover_letter_id IS NOT NULL") == [("Series", 2, 2)]
    r = cli.run("parsearchive", os.path.join(tmp, "missing.mbox"))
    assert r.returncode == 1 and b"no such" in r.stderr, r.stderr


def archive_thread_priorities(cli, *extra):
    """(niceness, policy) of each thread of a parsearchive that waits for its
    mbox on stdin, once it has set them up; then lets it finish."""
    p = subprocess.Popen([cli.binary, "parsearchive", *extra, "--database", cli.url, "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = []
        for _ in range(200):
            seen = []
            for tid in os.listdir(f"/proc/{p.pid}/task"):
                with open(f"/proc/{p.pid}/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                seen.append((int(fields[16]), int(fields[38])))  # nice, policy
            if len(seen) >= 2:  # the parse-ahead thread runs: priorities are set
                break
            time.sleep(0.025)
        return seen
    finally:
        p.communicate(b"", timeout=60)


@test
def parsearchive_runs_as_a_background_job(cli):
    base = os.nice(0)
    seen = archive_thread_priorities(cli)
    if testdb.is_postgres():  # the backend does the work: the caller's priority
        assert seen and all(s == (base, 0) for s in seen), seen
    else:  # niceness +10 on every thread, the scheduling policy unchanged
        assert len(seen) >= 2 and all(s == (min(base + 10, 19), 0) for s in seen), seen
    seen = archive_thread_priorities(cli, "--nice", "0")
    assert seen and all(s == (base, 0) for s in seen), seen
    r = cli.run("parsearchive", "--nice", "20", "-")
    assert r.returncode == 2 and b"--nice 0-19" in r.stderr, r.stderr


@test
def truncated_mbox_keeps_what_it_can(cli):
    tmp = cli.tmp
    path = os.path.join(tmp, "t.mbox")
    whole = mail("<t1@example.com>", "[PATCH] whole", DIFF.format(n=7))
    cut = mail("<t2@example.com>", "[PATCH] cut", DIFF.format(n=8))[:150]
    with open(path, "w") as f:
        f.write("From x Mon Jan  1 00:00:00 2024\n" + whole + "\nFrom x Mon Jan  1 00:00:00 2024\n" + cut)
    r = cli.run("parsearchive", path)
    assert r.returncode == 0, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM patches WHERE msgid = '<t1@example.com>'") == [(1,)]


def parsearchive_refusing(cli, table, msgid, mails, name):
    """Runs parsearchive on `mails` with a trigger that refuses the insert
    into `table` of the row whose msgid is `msgid`, then drops the trigger."""
    with testdb.connect(cli.url) as c:
        if testdb.is_postgres():
            c.execute("CREATE FUNCTION pb_test_refuse() RETURNS trigger AS $$ BEGIN "
                      "RAISE EXCEPTION 'test: refused'; END $$ LANGUAGE plpgsql")
            c.execute("CREATE TRIGGER pb_test_refuse BEFORE INSERT ON %s FOR EACH ROW "
                      "WHEN (NEW.msgid = '%s') EXECUTE FUNCTION pb_test_refuse()" % (table, msgid))
        else:
            c.execute("CREATE TRIGGER pb_test_refuse BEFORE INSERT ON %s "
                      "WHEN NEW.msgid = '%s' BEGIN SELECT RAISE(ABORT, 'test: refused'); END" % (table, msgid))
    path = os.path.join(cli.tmp, name)
    with open(path, "w") as f:
        for m in mails:
            f.write("From nobody Mon Jan  1 00:00:00 2024\n" + m + "\n")
    try:
        return cli.run("parsearchive", path)
    finally:
        with testdb.connect(cli.url) as c:
            c.execute("DROP TRIGGER pb_test_refuse" + (" ON " + table if testdb.is_postgres() else ""))
            if testdb.is_postgres():
                c.execute("DROP FUNCTION pb_test_refuse()")


@test
def parsearchive_undoes_a_mail_that_fails_half_way(cli):
    """A mail whose comment cannot be stored after its author was added: the
    author is undone, the mail kept as failed and reported once, and the
    batch's other mails are stored with their tag counts. On SQLite mails
    run without a savepoint, so this is the batch being stored again."""
    refs = "In-Reply-To: <f1@example.com>\nReferences: <f1@example.com>\n"
    mails = [
        mail("<f1@example.com>", "[PATCH] Half way", DIFF.format(n=31), sender="P One <p1@example.com>"),
        mail("<f2@example.com>", "Re: [PATCH] Half way", "Acked-by: A <a@example.com>\n", refs,
             sender="P Two <p2@example.com>"),
        mail("<f3@example.com>", "Re: [PATCH] Half way", "Acked-by: B <b@example.com>\n", refs,
             sender="P Three <p3@example.com>"),
        mail("<f4@example.com>", "Re: [PATCH] Half way", "Acked-by: C <c@example.com>\n", refs,
             sender="P Four <p4@example.com>"),
    ]
    r = parsearchive_refusing(cli, "patch_comments", "<f3@example.com>", mails, "f.mbox")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "   1 patches\n" in out and "   2 comments\n" in out and "   1 errors\n" in out, out
    assert r.stderr.decode().count("Failed to store mail <f3@example.com>") == 1, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM people WHERE email = 'p3@example.com'") == [(0,)]
    assert cli.sql("SELECT COUNT(*) FROM people WHERE email IN ('p1@example.com', 'p2@example.com', "
                   "'p4@example.com')") == [(3,)]
    assert cli.sql("SELECT msgid FROM failed_mails WHERE msgid = '<f3@example.com>'") == [("<f3@example.com>",)]
    assert cli.sql("SELECT c.msgid FROM patch_comments c JOIN patches p ON p.id = c.patch_id "
                   "WHERE p.msgid = '<f1@example.com>' ORDER BY c.msgid") == [("<f2@example.com>",), ("<f4@example.com>",)]
    assert cli.sql("SELECT t.count FROM patch_tags t JOIN patches p ON p.id = t.patch_id "
                   "JOIN tags g ON g.id = t.tag_id WHERE p.msgid = '<f1@example.com>' AND g.name = 'Acked-by'") == [(2,)]


@test
def parsearchive_undoes_a_write_that_fails_after_its_mail(cli):
    """The archive's last mail is held (its parent is unknown) and the write
    of its references fails. On PostgreSQL those writes are pipelined and no
    later read of the mail answers for them: the failure comes back only
    before the batch's commit, and the batch is stored again with savepoints
    instead of its commit failing. The other mails are kept, the held one is
    kept as failed and reported once."""
    refs = "In-Reply-To: <g1@example.com>\nReferences: <g1@example.com>\n"
    lost = "In-Reply-To: <nowhere@example.com>\nReferences: <nowhere@example.com>\n"
    mails = [
        mail("<g1@example.com>", "[PATCH] Late failure", DIFF.format(n=41), sender="Q One <q1@example.com>"),
        mail("<g2@example.com>", "Re: [PATCH] Late failure", "Acked-by: A <a@example.com>\n", refs,
             sender="Q Two <q2@example.com>"),
        mail("<g3@example.com>", "Re: something else", "A reply.\n", lost, sender="Q Three <q3@example.com>"),
    ]
    r = parsearchive_refusing(cli, "held_mail_refs", "<nowhere@example.com>", mails, "g.mbox")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "   1 patches\n" in out and "   1 comments\n" in out and "   1 errors\n" in out, out
    assert r.stderr.decode().count("Failed to store mail <g3@example.com>") == 1, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM held_mails WHERE msgid = '<g3@example.com>'") == [(0,)]
    assert cli.sql("SELECT msgid FROM failed_mails WHERE msgid = '<g3@example.com>'") == [("<g3@example.com>",)]
    assert cli.sql("SELECT c.msgid FROM patch_comments c JOIN patches p ON p.id = c.patch_id "
                   "WHERE p.msgid = '<g1@example.com>'") == [("<g2@example.com>",)]


def archive_mails(first, count):
    return "".join("From nobody Mon Jan  1 00:00:00 2024\n" +
                   mail(f"<j{i}@example.com>", f"[PATCH] change {i}", DIFF.format(n=1000 + i)) + "\n"
                   for i in range(first, first + count))


class ArchiveDb:
    """A SQLite database of its own with the demo project, for the tests of
    how parsearchive journals its writes."""

    def __init__(self, cli, name):
        self.cli = cli
        self.path = os.path.join(cli.tmp, name)
        self.url = "sqlite://" + self.path
        r = self.run("project", "create", "--linkname", "demo", "--name", "Demo",
                     "--listid", "demo.lists.example.org", "--listemail", "demo@lists.example.org")
        assert r.returncode == 0, r.stderr

    def run(self, *args, stdin=None):
        return subprocess.run([self.cli.binary, *args, "--database", self.url],
                              input=stdin.encode() if isinstance(stdin, str) else stdin,
                              capture_output=True, timeout=120)

    @contextlib.contextmanager
    def importing(self, mbox):
        """A parsearchive reading its mbox from a pipe, fed `mbox` first and
        then by the test; killed on the way out unless it has ended."""
        p = subprocess.Popen([self.cli.binary, "parsearchive", "-q", "--database", self.url, "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            p.stdin.write(mbox.encode())
            p.stdin.flush()
            yield p
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()

    def count(self, table):
        c = sqlite3.connect(self.path, timeout=60)
        try:
            return c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        finally:
            c.close()

    def pragma(self, name):
        c = sqlite3.connect(self.path, timeout=60)
        try:
            return c.execute(f"PRAGMA {name}").fetchone()[0]
        finally:
            c.close()

    def wait_for_patches(self, n, p):
        for _ in range(1200):
            if self.count("patches") >= n:
                return
            assert p.poll() is None, p.stderr.read()
            time.sleep(0.05)
        raise AssertionError(f"never {n} patches")


@test
def sqlite_import_killed_mid_batch_keeps_whole_batches(cli):
    """Alone on its database, parsearchive writes through a rollback journal
    (db::SetBulkLoad): a kill -9 in the middle of the second batch leaves
    exactly the first batch (500 mails), and the next import completes it."""
    if testdb.is_postgres():
        return
    db = ArchiveDb(cli, "killed.db")
    with db.importing(archive_mails(0, 700)) as p:
        db.wait_for_patches(1, p)  # the first batch is committed
        # Not WAL: the persistent journal is there, the WAL was checkpointed away.
        assert os.path.exists(db.path + "-journal") and not os.path.exists(db.path + "-wal")
        time.sleep(0.5)  # the second batch's 200 mails go into its open transaction
        assert p.poll() is None
        p.kill()
    assert db.count("patches") == 500
    assert db.pragma("integrity_check") == "ok"
    r = db.run("parsearchive", "-q", "-", stdin=archive_mails(0, 800))
    assert r.returncode == 0, r.stderr
    assert db.count("patches") == 800 and db.count("series") == 800
    assert db.pragma("journal_mode") == "wal"
    assert not os.path.exists(db.path + "-journal")


@test
def sqlite_import_keeps_wal_while_serve_has_the_database_open(cli):
    """A running serve keeps the database in WAL mode through an import (SQLite
    refuses the switch), and answers while the import's batch is open."""
    if testdb.is_postgres():
        return
    db = ArchiveDb(cli, "served.db")
    srv = subprocess.Popen([cli.binary, "serve", "--database", db.url, "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = srv.stdout.readline()
        assert "serving on http://" in line, line + srv.stderr.read()
        base = line.split("serving on ", 1)[1].strip().rstrip("/")
        with db.importing(archive_mails(0, 600)) as p:
            db.wait_for_patches(1, p)
            time.sleep(0.3)  # the second batch is open
            assert os.path.exists(db.path + "-wal") and not os.path.exists(db.path + "-journal")
            with urllib.request.urlopen(base + "/api/patches/?per_page=1", timeout=30) as resp:
                assert resp.status == 200
            p.stdin.close()
            assert p.wait(timeout=120) == 0, p.stderr.read()
        with urllib.request.urlopen(base + "/api/projects/", timeout=30) as resp:
            assert resp.status == 200
        assert db.count("patches") == 600
        assert db.pragma("journal_mode") == "wal"
    finally:
        srv.terminate()
        srv.wait(timeout=30)


@test
def sqlite_import_follows_a_writer_that_opens_meanwhile_into_wal(cli):
    """A parsemail that opens the database while the import runs in rollback
    mode waits for the batch, switches the database back to WAL and stores its
    mail; the import carries on in WAL mode and stores everything."""
    if testdb.is_postgres():
        return
    db = ArchiveDb(cli, "joined.db")
    with db.importing(archive_mails(0, 100)) as p:
        # The first batch's transaction creates the journal; a loaded machine
        # may take a while to start the import.
        for _ in range(600):
            if os.path.exists(db.path + "-journal"):
                break
            assert p.poll() is None, p.stderr.read()
            time.sleep(0.05)
        assert os.path.exists(db.path + "-journal")
        other = subprocess.Popen([cli.binary, "parsemail", "--database", db.url],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            other.stdin.write(mail("<other@example.com>", "[PATCH] other", DIFF.format(n=9)).encode())
            other.stdin.close()
            # The first batch commits at its 500th mail (read once the 501st
            # begins), and the next opens only with its first mail: until
            # then parsemail can take the lock.
            p.stdin.write(archive_mails(100, 401).encode())
            p.stdin.flush()
            assert other.wait(timeout=120) == 0, other.stderr.read()
        finally:
            if other.poll() is None:
                other.kill()
                other.wait()
        p.stdin.write(archive_mails(501, 299).encode())
        p.stdin.close()
        assert p.wait(timeout=120) == 0, p.stderr.read()
    assert db.count("patches") == 801
    assert db.pragma("journal_mode") == "wal"
    assert db.pragma("integrity_check") == "ok"
    assert not os.path.exists(db.path + "-journal")


@test
def concurrent_parsemail_builds_one_series(cli):
    n = 8
    cover = mail("<c0@example.com>", f"[PATCH v3 0/{n}] Concurrent", "Cover.\n",
                 date="Wed, 02 Aug 2023 10:00:00 +0000")
    mails = [cover] + [
        mail(f"<c{i}@example.com>", f"[PATCH v3 {i}/{n}] Part {i}", DIFF.format(n=100 + i),
             "In-Reply-To: <c0@example.com>\nReferences: <c0@example.com>\n",
             date=f"Wed, 02 Aug 2023 10:00:{i:02d} +0000")
        for i in range(1, n + 1)
    ]
    for _ in range(3):  # repeat: races are probabilistic
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(mails)) as pool:
            results = list(pool.map(lambda m: cli.run("parsemail", stdin=m), mails))
        for r in results:
            assert r.returncode == 0, r.stderr
    rows = cli.sql("SELECT s.id, s.received_total, s.cover_letter_id IS NOT NULL, COUNT(p.id) "
                   "FROM series s JOIN patches p ON p.series_id = s.id WHERE s.version = 3 GROUP BY s.id")
    assert len(rows) == 1, rows
    assert rows[0][1] == n and rows[0][3] == n, rows
    assert cli.sql("SELECT COUNT(*) FROM patches WHERE msgid LIKE '<c%@example.com>'") == [(n,)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patchbay-cli-") as tmp:
        cli = Cli(os.path.abspath(args.binary), tmp)
        for t in TESTS:  # in order: later tests build on the project made first
            try:
                t(cli)
                passed += 1
                print(f"PASS {t.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {t.__name__}")
                traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
