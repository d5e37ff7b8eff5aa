#!/usr/bin/env python3
"""Mail bombs and unlucky-admin cases for parsemail, parsearchive and the
admin commands (issue #9): every mail is stored, dropped, or kept in
`failed list` with its reason, and the process never dies on what a mail
contains. The hostile inputs are generated here, never committed.

usage: hardening_test.py --binary build/patchbay [--shared ../shared]
"""
import argparse
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import DIFF, Cli, mail  # noqa: E402

LIST = "demo.lists.example.org"
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def deep_multipart(msgid, depth):
    out = (f"From: Jane <jane@example.com>\nSubject: [PATCH] deep\nMessage-Id: {msgid}\n"
           f"List-Id: <{LIST}>\n")
    out += "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth))
    out += "Content-Type: text/plain\n\nhello\n"
    out += "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    return out


def deep_rfc822(msgid, depth):
    out = (f"From: Jane <jane@example.com>\nSubject: [PATCH] deep\nMessage-Id: {msgid}\n"
           f"List-Id: <{LIST}>\n")
    out += "Content-Type: message/rfc822\n\n" * depth
    return out + "Content-Type: text/plain\n\nhello\n"


def counts(cli):
    tables = ["patches", "covers", "patch_comments", "cover_comments", "series", "events",
              "people", "series_references", "failed_mails"]
    return {t: cli.sql(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}


@test
def setup_project(cli):
    r = cli.run("project", "create", "--linkname", "demo", "--name", "Demo", "--listid", LIST,
                "--listemail", "demo@lists.example.org")
    assert r.returncode == 0, r.stderr


@test
def deep_mime_nesting_goes_to_failed_list(cli):
    # 20,000 levels crashed the recursive parser (SIGSEGV); each is now kept.
    for i, bomb in enumerate([deep_multipart("<deep-mp@x>", 20000), deep_rfc822("<deep-rfc@x>", 20000)]):
        before = cli.sql("SELECT COUNT(*) FROM failed_mails")[0][0]
        start = time.monotonic()
        r = cli.run("parsemail", stdin=bomb)
        assert r.returncode == 1, (r.returncode, r.stderr[-300:])
        assert b"nested deeper than 100 levels" in r.stderr, r.stderr[-300:]
        assert time.monotonic() - start < 20
        assert cli.sql("SELECT COUNT(*) FROM failed_mails")[0][0] == before + 1
    r = cli.run("failed", "list")
    assert r.stdout.count(b"MIME parts nested deeper than 100 levels") == 2, r.stdout
    # 100 levels is within the bound and stored as usual.
    ok = deep_multipart("<deep-ok@x>", 99).replace("hello\n", "hello\n\n" + DIFF.format(n=900), 1)
    r = cli.run("parsemail", stdin=ok)
    assert r.returncode == 0, r.stderr[-300:]


@test
def deep_mime_nesting_in_an_archive(cli):
    tmp = os.path.dirname(cli.db)
    path = os.path.join(tmp, "bomb.mbox")
    with open(path, "w") as f:
        f.write("From x Mon Jan  1 00:00:00 2024\n" + deep_multipart("<arch-deep@x>", 20000) + "\n")
        f.write("From x Mon Jan  1 00:00:00 2024\n"
                + mail("<arch-ok@x>", "[PATCH] after the bomb", DIFF.format(n=901)) + "\n")
    for _ in range(2):  # the rerun must not crash at the same place either
        r = cli.run("parsearchive", path)
        assert r.returncode == 0, (r.returncode, r.stderr[-300:])
        assert b"1 errors" in r.stdout, r.stdout
    assert cli.sql("SELECT COUNT(*) FROM patches WHERE msgid = '<arch-ok@x>'") == [(1,)]


@test
def subject_match_on_a_huge_subject(cli):
    r = cli.run("project", "create", "--linkname", "netnext", "--name", "net-next", "--listid", "net.example.org",
                "--listemail", "net@example.org", "--subject-match", r"\[.*net-next.*\]")
    assert r.returncode == 0, r.stderr
    r = cli.run("project", "create", "--linkname", "net", "--name", "net", "--listid", "net.example.org",
                "--listemail", "net@example.org")
    assert r.returncode == 0, r.stderr
    # std::regex overflowed the stack on this 100 KB subject (SIGSEGV, mail lost).
    huge = "[PATCH " + "a" * 100000 + " net-next] x"
    r = cli.run("parsemail", stdin=mail("<huge-subject@x>", huge, DIFF.format(n=902), list_id="net.example.org"))
    assert r.returncode == 0, (r.returncode, r.stderr[-300:])
    assert cli.sql("SELECT COUNT(*) FROM patches WHERE msgid = '<huge-subject@x>'") == [(1,)]
    # The pattern still routes: case-insensitive, as Python's re.I.
    r = cli.run("parsemail", stdin=mail("<nn@x>", "[PATCH NET-NEXT] y", DIFF.format(n=903), list_id="net.example.org"))
    assert r.returncode == 0, r.stderr
    r = cli.run("parsemail", stdin=mail("<plain@x>", "[PATCH] z", DIFF.format(n=904), list_id="net.example.org"))
    assert r.returncode == 0, r.stderr
    got = dict(cli.sql("SELECT p.msgid, j.linkname FROM patches p JOIN projects j ON j.id = p.project_id "
                       "WHERE p.msgid IN ('<nn@x>', '<plain@x>')"))
    assert got == {"<nn@x>": "netnext", "<plain@x>": "net"}, got


def fsize_limited(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec: writes fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@test
def full_disk_exits_tempfail_and_says_nothing_was_kept(cli):
    # RLIMIT_FSIZE makes every write past 32 KiB fail as a full disk would;
    # the WAL must be empty (and the -shm present) for that to bite exactly
    # at the mail's own writes.
    keeper = sqlite3.connect(cli.db)
    keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    before = counts(cli)
    big = "x" * 200000
    broken = f"From: a@example.com\nSubject: [PATCH] no id\nList-Id: <{LIST}>\n\n{big}\n"
    good = mail("<full-disk@x>", "[PATCH] full", big + "\n\n" + DIFF.format(n=905))
    for raw in (broken, good):
        r = subprocess.run([cli.binary, "parsemail", "--database", cli.url], input=raw.encode(),
                           capture_output=True, timeout=60, preexec_fn=fsize_limited(32768))
        assert r.returncode == 75, (r.returncode, r.stderr)
        assert b"kept as failed mail" not in r.stderr, r.stderr
        assert b"not stored or kept" in r.stderr, r.stderr
    keeper.close()
    assert counts(cli) == before
    # A database that cannot be opened at all: also 75.
    r = subprocess.run([cli.binary, "parsemail", "--database", "sqlite:///nonexistent-dir/x.db"],
                       input=good.encode(), capture_output=True, timeout=60)
    assert r.returncode == 75, (r.returncode, r.stderr)


def series_mbox(path, tag, n):
    """A v2 series whose cover replies to the v1 cover (so upstream's rule
    would file it as a comment when seen again), with replies to both."""
    mails = [mail(f"<{tag}-v1-0@x>", f"[PATCH 0/{n}] {tag} series", "Cover v1.\n",
                  date="Wed, 02 Aug 2023 09:00:00 +0000")]
    mails += [mail(f"<{tag}-v1-{i}@x>", f"[PATCH {i}/{n}] {tag} part {i}", DIFF.format(n=f"{tag}{i}"),
                   f"In-Reply-To: <{tag}-v1-0@x>\nReferences: <{tag}-v1-0@x>\n",
                   date=f"Wed, 02 Aug 2023 09:00:{i:02d} +0000") for i in range(1, n + 1)]
    mails.append(mail(f"<{tag}-v2-0@x>", f"[PATCH v2 0/{n}] {tag} series", "Cover v2.\n",
                      f"In-Reply-To: <{tag}-v1-0@x>\nReferences: <{tag}-v1-0@x>\n",
                      date="Thu, 03 Aug 2023 09:00:00 +0000"))
    mails += [mail(f"<{tag}-v2-{i}@x>", f"[PATCH v2 {i}/{n}] {tag} part {i}", DIFF.format(n=f"{tag}v2{i}"),
                   f"In-Reply-To: <{tag}-v2-0@x>\nReferences: <{tag}-v1-0@x> <{tag}-v2-0@x>\n",
                   date=f"Thu, 03 Aug 2023 09:00:{i:02d} +0000") for i in range(1, n + 1)]
    mails.append(mail(f"<{tag}-r1@x>", f"Re: [PATCH v2 0/{n}] {tag} series", "Looks good.\n",
                      f"In-Reply-To: <{tag}-v2-0@x>\nReferences: <{tag}-v2-0@x>\n"))
    mails.append(mail(f"<{tag}-r2@x>", f"Re: [PATCH v2 1/{n}] {tag} part 1", "Acked-by: A <a@example.com>\n",
                      f"In-Reply-To: <{tag}-v2-1@x>\nReferences: <{tag}-v2-0@x> <{tag}-v2-1@x>\n"))
    with open(path, "w") as f:
        for m in mails:
            f.write("From nobody Mon Jan  1 00:00:00 2024\n" + m + "\n")
    return len(mails)


@test
def rerunning_an_archive_changes_nothing(cli):
    tmp = os.path.dirname(cli.db)
    path = os.path.join(tmp, "rerun.mbox")
    total = series_mbox(path, "rr", 3)
    r = cli.run("parsearchive", path)
    assert r.returncode == 0 and b"0 errors" in r.stdout, r.stdout
    assert cli.sql("SELECT COUNT(*) FROM covers WHERE msgid LIKE '<rr-%'") == [(2,)]
    before = counts(cli)
    r = cli.run("parsearchive", path)
    assert r.returncode == 0, r.stderr
    assert f"{total} duplicates".encode() in r.stdout and b"Total: 0 new entries" in r.stdout, r.stdout
    assert counts(cli) == before, (before, counts(cli))
    # The same through parsemail, one mail at a time.
    r = cli.run("parsemail", stdin=open(path).read().split("From nobody Mon Jan  1 00:00:00 2024\n")[5])
    assert r.returncode == 0 and b"Duplicate" in r.stderr, r.stderr
    assert counts(cli) == before


@test
def rerunning_the_real_archive_changes_nothing(cli):
    archive = os.path.join(cli.shared or "", "corpus/real-lists/linuxppc-dev-first5k.mbox.zst")
    if not cli.shared or not os.path.exists(archive) or not shutil.which("zstd"):
        print("  (skipped: no shared real archive)")
        return
    tmp = os.path.dirname(cli.db)
    db = os.path.join(tmp, "real.db")
    url = "sqlite://" + db
    mbox = os.path.join(tmp, "real.mbox")
    subprocess.run(["zstd", "-q", "-d", "-f", archive, "-o", mbox], check=True)
    run = lambda *a: subprocess.run([cli.binary, *a, "--database", url], capture_output=True, timeout=600)
    assert run("project", "create", "--linkname", "linuxppc-dev", "--name", "LinuxPPC",
               "--listid", "linuxppc-dev.lists.ozlabs.org", "--listemail", "linuxppc-dev@lists.ozlabs.org").returncode == 0
    assert run("parsearchive", mbox).returncode == 0
    real = Cli(cli.binary, tmp)
    real.db, real.url = db, url
    before = counts(real)
    r = run("parsearchive", mbox)
    assert r.returncode == 0 and b"Total: 0 new entries" in r.stdout, r.stdout
    assert counts(real) == before, (before, counts(real))
    os.unlink(mbox)


@test
def patch_without_commit_message_has_empty_content(cli):
    bare = DIFF.format(n=906)[DIFF.index("diff --git"):]  # no text at all before the diff
    r = cli.run("parsemail", stdin=mail("<no-message@x>", "[PATCH] bare", bare))
    assert r.returncode == 0, r.stderr
    assert cli.sql("SELECT content FROM patches WHERE msgid = '<no-message@x>'") == [("",)]


@test
def nul_in_message_id_is_dropped_and_the_mail_stored(cli):
    # v3.2.1's parser keeps a NUL inside a Message-ID (tests/parser fixture
    # fuzz/dateheader.mbox), which PostgreSQL text cannot hold: patchbay
    # drops NULs from stored text on both backends (docs/deploy.md, section 5).
    # The mail is stored, and a reply naming the NUL'd id still finds it.
    raw = mail("<nul\x00id@x>", "[PATCH] nul", "Text.\n\n" + DIFF.format(n=907))
    r = cli.run("parsemail", stdin=raw)
    assert r.returncode == 0, r.stderr
    rows = cli.sql("SELECT hex(CAST(msgid AS BLOB)) FROM patches WHERE msgid LIKE '<nul%'")
    assert rows == [(b"<nulid@x>".hex().upper(),)], rows
    reply = mail("<nul-reply@x>", "Re: [PATCH] nul", "Reviewed-by: R <r@example.com>\n",
                 "In-Reply-To: <nul\x00id@x>\nReferences: <nul\x00id@x>\n")
    r = cli.run("parsemail", stdin=reply)
    assert r.returncode == 0, r.stderr
    assert cli.sql("SELECT COUNT(*) FROM patch_comments WHERE msgid = '<nul-reply@x>'") == [(1,)]


@test
def empty_mbox_is_no_failed_mail(cli):
    tmp = os.path.dirname(cli.db)
    before = cli.sql("SELECT COUNT(*) FROM failed_mails")[0][0]
    for name, content in (("empty.mbox", ""), ("blank.mbox", "\n\n  \n")):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(content)
        r = cli.run("parsearchive", path)
        assert r.returncode == 0 and b"Processed 0 messages" in r.stdout, (r.stdout, r.stderr)
    assert cli.sql("SELECT COUNT(*) FROM failed_mails")[0][0] == before


@test
def failed_list_shows_no_raw_control_characters(cli):
    evil = "\x1b]2;pwned\x07\x1b[2J\u009b31m"  # OSC title, clear screen, C1 CSI
    raw = f"From: a@example.com\nSubject: [PATCH] x\nList-Id: <{LIST}>\nMessage-Id: <{evil}@x>\n\n\n"
    r = cli.run("parsemail", stdin=raw.encode())
    assert b"<\\x1b]2;pwned\\x07" in r.stderr, r.stderr
    # Whatever path put it there, a kept mail's Message-ID and reason are
    # shown escaped.
    with sqlite3.connect(cli.db) as c:
        c.execute("INSERT INTO failed_mails (received, msgid, list_id, reason, raw) VALUES (0, ?, '', ?, x'00')",
                  (evil, "reason " + evil))
    listed = cli.run("failed", "list").stdout
    assert b"\\x1b]2;pwned\\x07\\x1b[2J\\xc2\\x9b31m" in listed, listed
    for out in (r.stderr, listed):
        assert b"\x1b" not in out and b"\x07" not in out and b"\xc2\x9b" not in out, out


@test
def help_touches_nothing(cli):
    tmp = tempfile.mkdtemp(dir=os.path.dirname(cli.db))
    for cmd in ("failed", "parsemail", "parsearchive", "serve", "migrate", "retag", "rehash", "project",
                "user", "demo"):
        for flag in ("--help", "-h"):
            r = subprocess.run([cli.binary, cmd, flag], cwd=tmp, capture_output=True, timeout=10,
                               env={**os.environ, "PATCHBAY_DATABASE": ""}, stdin=subprocess.DEVNULL)
            assert r.returncode == 0 and b"usage: patchbay " + cmd.encode() in r.stdout, (cmd, r)
    assert os.listdir(tmp) == [], os.listdir(tmp)


@test
def duplicate_user_is_a_clear_error(cli):
    r = cli.run("user", "create", "--username", "dupe", "--email", "d@example.com")
    assert r.returncode == 0, r.stderr
    r = cli.run("user", "create", "--username", "dupe", "--email", "d@example.com")
    assert r.returncode == 1 and b"already exists" in r.stderr and b"UNIQUE" not in r.stderr, r.stderr


# Every subcommand that reaches the database, as an admin would type it.
DATABASE_COMMANDS = [
    ("migrate",), ("parsemail",), ("parsearchive", "{mbox}"), ("project", "list"),
    ("project", "create", "--linkname", "x", "--listid", "x.example.org", "--listemail", "x@example.org"),
    ("project", "show", "x"), ("user", "list"), ("user", "token", "someone"), ("retag",), ("rehash",),
    ("failed", "list"), ("held",), ("demo", "{mbox}"), ("cron", "--site-url", "http://pb.test"),
    ("webhook", "list"), ("webhook", "disable", "1"), ("webhook", "run"), ("mail", "list"),
    ("state", "list"), ("tag", "list"), ("person", "list"), ("patch", "delete", "1"),
    ("cover", "delete", "1"), ("series", "delete", "1"), ("git-sync", "--project", "x", "--report"),
    ("import", "--from", "sqlite://{source}"), ("serve", "--listen", "127.0.0.1:0"),
]


@test
def unreachable_or_unwritable_database_is_one_line_and_an_exit_code(cli):
    """No server behind a PostgreSQL socket directory: exit 75 (EX_TEMPFAIL,
    try again later), as parsemail does. A SQLite path that cannot be
    created: exit 1 (parsemail: 75 whatever the cause). Either way one line on stderr naming the problem, never
    an uncaught exception."""
    tmp = tempfile.mkdtemp(dir=os.path.dirname(cli.db))
    mbox = os.path.join(tmp, "one.mbox")
    with open(mbox, "w") as f:
        f.write("From x Mon Jan  1 00:00:00 2024\n" + mail("<unreachable@x>", "[PATCH] u", DIFF))
    source = os.path.join(tmp, "source.db")
    sqlite3.connect(source).close()
    not_a_dir = os.path.join(tmp, "plain-file")
    open(not_a_dir, "w").close()
    targets = [
        ("postgresql://postgres@/patchbay?host=%s&port=5999" % tmp, 75, b"unreachable"),
        ("sqlite://" + os.path.join(not_a_dir, "x.db"), 1, b"unable to open"),
    ]
    for url, code, words in targets:
        for cmd in DATABASE_COMMANDS:
            argv = [a.format(mbox=mbox, source=source) for a in cmd]
            r = subprocess.run([cli.binary, *argv, "--database", url], capture_output=True, timeout=60,
                               input=mail("<unreachable@x>", "[PATCH] u", DIFF).encode())
            what = (url, argv, r.returncode, r.stderr)
            # parsemail keeps no mail it could not store, whatever the cause:
            # 75 always, so the MTA delivers it again (docs/security.md).
            assert r.returncode == (75 if cmd[0] == "parsemail" else code), what
            assert b"terminate called" not in r.stderr and words in r.stderr, what
            lines = r.stderr.decode().splitlines()
            # parsemail adds the line an MTA operator reads: the mail will come again.
            assert len(lines) == (2 if cmd[0] == "parsemail" else 1), what
            assert lines[0].startswith("patchbay"), what


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared")
    args = ap.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patchbay-hardening-") as tmp:
        cli = Cli(os.path.abspath(args.binary), tmp)
        # These bombs are about the process and its SQLite file (a full disk
        # is RLIMIT_FSIZE on the database's own writes, NULs in text): they
        # run on SQLite whatever backend the suite is on.
        cli.db = os.path.join(tmp, "hardening.db")
        cli.url = "sqlite://" + cli.db
        cli.shared = args.shared if args.shared and os.path.isdir(args.shared) else None
        for t in TESTS:  # in order: later tests use the project made first
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
