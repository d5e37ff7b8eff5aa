#!/usr/bin/env python3
"""`parsemail --ingest-socket` hands the mail to a running `serve` (issue #13).

Each mail goes three times: to `parsemail` storing it itself on database A,
through `serve --ingest-socket` on database B with `parsemail
--ingest-socket`, and on database C with `patchbay-parsemail` (the static
pipe binary, src/pipe/). The exit codes and messages
must be the same, and so must the rows (every table the ingest writes, all
but the columns that hold the time of storing). Then: the socket's mode; no
server (no socket file) → parsemail stores the mail itself; a server that
does not answer in time (its one writer held by a half-sent request) → the
same, the half request is never stored and the server's late store of the
whole one is a duplicate; a server killed (kill -9) while a client waits → the client stores
it, nothing duplicated; the stale socket file it left is replaced by the next
serve. The pipe binary's fallback (exec of `patchbay parsemail`) is checked
the same way. Runs on SQLite or PostgreSQL (PATCHBAY_TEST_DATABASE), like the others.

usage: ingest_socket.py --binary build/patchbay [--pipe build/patchbay-parsemail]
Last line: "N passed, M failed"."""

import argparse
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testdb  # noqa: E402

LIST = "sock.lists.example.org"
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


def mail(msgid, subject, body, extra=""):
    return (f"From: Jane Doe <jane@example.com>\nTo: sock@lists.example.org\nSubject: {subject}\n"
            f"Date: Tue, 01 Aug 2023 17:10:01 +0000\nMessage-Id: {msgid}\nList-Id: <{LIST}>\n"
            f"{extra}\n{body}").encode()


# Rows to compare, without the columns that hold when the row was written.
DUMPS = [
    "SELECT id, project_id, msgid, name, date, submitter_id, state_id, hash, series_id, number, "
    "headers, content, diff FROM patches ORDER BY id",
    "SELECT id, project_id, msgid, name, date, submitter_id, headers, content FROM covers ORDER BY id",
    "SELECT id, patch_id, msgid, date, submitter_id, headers, content FROM patch_comments ORDER BY id",
    "SELECT id, cover_id, msgid, date, submitter_id, content FROM cover_comments ORDER BY id",
    "SELECT id, project_id, cover_letter_id, name, date, version, total, received_total FROM series ORDER BY id",
    "SELECT id, email, name FROM people ORDER BY id",
    "SELECT id, project_id, category, patch_id, series_id, cover_id FROM events ORDER BY id",
    "SELECT id, msgid, list_id, reason, raw, resolved FROM failed_mails ORDER BY id",
    "SELECT id, project_id, msgid, list_id, universal_newlines, raw FROM held_mails ORDER BY id",
]


def dump(url):
    out = []
    with testdb.connect(url) as c:
        for q in DUMPS:
            out.append([tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in c.execute(q).fetchall()])
    return out


class Server:
    def __init__(self, binary, url, sock):
        self.p = subprocess.Popen([binary, "serve", "--database", url, "--listen", "127.0.0.1:0",
                                   "--threads", "1", "--no-webhooks", "--ingest-socket", sock],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.p.stdout.readline()
        if b"serving on" not in line:
            raise AssertionError("serve did not start: %r %r" % (line, self.p.stderr.read()))
        self.port = int(line.strip().rstrip(b"/").rsplit(b":", 1)[1])

    def state(self):
        """For an assertion's message: running, or how it ended and what it said."""
        if self.p.poll() is None:
            return "serve running"
        return "serve exited %s: %r" % (self.p.returncode, self.p.stderr.read()[-2000:])

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGCONT)  # after a test that stopped it
            self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=30)


class Fixture:
    def __init__(self, binary, pipe, tmp):
        self.binary = binary
        self.pipe = pipe
        self.tmp = tmp
        self.direct = testdb.new_url(tmp, "direct.db")
        self.via = testdb.new_url(tmp, "via.db")
        self.sock = os.path.join(tmp, "ingest.sock")
        self.pipe_db = testdb.new_url(tmp, "pipe.db")
        self.pipe_sock = os.path.join(tmp, "pipe.sock")
        for url in (self.direct, self.via, self.pipe_db):
            r = subprocess.run([binary, "project", "create", "--database", url, "--linkname", "sock",
                                "--name", "Sock", "--listid", LIST, "--listemail", "sock@" + LIST],
                               capture_output=True, timeout=60)
            assert r.returncode == 0, r.stderr

    def parsemail(self, url, raw, *extra, sock=None, wait=True, pipe=False):
        argv = [self.pipe] if pipe else [self.binary, "parsemail"]
        argv += ["--database", url, *extra]
        if sock:
            argv += ["--ingest-socket", sock]
        if not wait:
            p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            p.stdin.write(raw)
            p.stdin.close()
            p.stdin = None  # so communicate() only reads
            return p
        return subprocess.run(argv, input=raw, capture_output=True, timeout=120)

    def count(self, url, msgid):
        with testdb.connect(url) as c:
            return c.execute("SELECT (SELECT COUNT(*) FROM patches WHERE msgid = ?) + "
                             "(SELECT COUNT(*) FROM failed_mails WHERE msgid = ?)", (msgid, msgid)).fetchone()[0]


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def same_codes_messages_and_rows_as_direct(f):
    server = Server(f.binary, f.via, f.sock)
    pipe_server = Server(f.binary, f.pipe_db, f.pipe_sock)
    try:
        mode = stat.S_IMODE(os.lstat(f.sock).st_mode)
        assert mode == 0o660, oct(mode)
        cases = [
            ("new patch", mail("<s1@example.com>", "[PATCH 1/2] Add world", "Body.\n\n" + DIFF.format(n=1)), 0),
            ("duplicate", mail("<s1@example.com>", "[PATCH 1/2] Add world", "Body.\n\n" + DIFF.format(n=1)), 0),
            ("ignored", mail("<s2@example.com>", "[PATCH] skip", DIFF.format(n=2),
                             extra="X-Patchwork-Hint: ignore\n"), 0),
            ("held reply", mail("<r1@example.com>", "Re: [PATCH 2/2] Later", "Looks good.\n\n"
                                "Reviewed-by: Bob <bob@example.com>\n",
                                extra="In-Reply-To: <s3@example.com>\nReferences: <s3@example.com>\n"), 0),
            ("its parent", mail("<s3@example.com>", "[PATCH 2/2] Later", "More.\n\n" + DIFF.format(n=3),
                                extra="In-Reply-To: <s1@example.com>\nReferences: <s1@example.com>\n"), 0),
            ("fails to parse", ("From: a@example.com\nSubject: [PATCH] no id\nList-Id: <%s>\n\n%s"
                                % (LIST, DIFF.format(n=4))).encode(), 1),
            ("--list-id override", mail("<s5@example.com>", "[PATCH] other list", DIFF.format(n=5))
             .replace(LIST.encode(), b"unknown.example.org"), 0),
        ]
        for name, raw, code in cases:
            extra = ("--list-id", LIST) if name == "--list-id override" else ()
            a = f.parsemail(f.direct, raw, *extra)
            b = f.parsemail(f.via, raw, *extra, sock=f.sock)
            assert a.returncode == code, (name, a)
            c = f.parsemail(f.pipe_db, raw, *extra, sock=f.pipe_sock, pipe=True)
            assert (b.returncode, b.stdout, b.stderr) == (a.returncode, a.stdout, a.stderr), (name, a, b)
            assert (c.returncode, c.stdout, c.stderr) == (a.returncode, a.stdout, a.stderr), (name, a, c)
            assert b"storing the mail directly" not in b.stderr + c.stderr, (name, b.stderr, c.stderr)
        assert dump(f.via) == dump(f.direct)
        assert dump(f.pipe_db) == dump(f.direct)
    finally:
        server.stop()
        pipe_server.stop()
    assert not os.path.exists(f.sock), "socket left behind by a clean shutdown"


@test
def no_server_stores_the_mail_itself(f):
    raw = mail("<n1@example.com>", "[PATCH] nobody listens", DIFF.format(n=10))
    a = f.parsemail(f.direct, raw)
    b = f.parsemail(f.via, raw, sock=f.sock)
    c = f.parsemail(f.pipe_db, raw, sock=f.pipe_sock, pipe=True)
    assert a.returncode == 0 and b.returncode == 0 and c.returncode == 0, (a, b, c)
    assert b"storing the mail directly" in b.stderr, b.stderr
    assert b"storing the mail directly" in c.stderr, c.stderr
    # The pipe binary's fallback is the full parsemail: its messages follow.
    d = f.parsemail(f.pipe_db, raw, sock=f.pipe_sock, pipe=True)
    assert d.returncode == 0 and b"Duplicate mail" in d.stderr, d
    # And --list-id reaches it.
    raw = mail("<n2@example.com>", "[PATCH] nobody, other list", DIFF.format(n=15)).replace(
        LIST.encode(), b"unknown.example.org")
    a = f.parsemail(f.direct, raw, "--list-id", LIST)
    b = f.parsemail(f.via, raw, "--list-id", LIST, sock=f.sock)
    c = f.parsemail(f.pipe_db, raw, "--list-id", LIST, sock=f.pipe_sock, pipe=True)
    assert a.returncode == 0 and b.returncode == 0 and c.returncode == 0, (a, b, c)
    assert dump(f.via) == dump(f.direct)
    assert dump(f.pipe_db) == dump(f.direct)


@test
def a_server_that_does_not_answer_in_time(f):
    """A client that sends half a request holds the server's one writer (up
    to its 10 s read timeout; the server holds no database lock meanwhile).
    A mail queued behind it times out and is stored by its client; the
    half request is then dropped, never stored, and the queued request,
    complete, is stored by the server too late: a duplicate."""
    server = Server(f.binary, f.via, f.sock)
    try:
        half = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        half.connect(f.sock)
        cut = mail("<t0@example.com>", "[PATCH] cut short", DIFF.format(n=10))
        half.sendall(b"PBINGEST 1\nlist-id 0\ndatabase 0\nmail %d\n" % len(cut) + cut[:40])
        raw = mail("<t1@example.com>", "[PATCH] slow server", DIFF.format(n=11))
        start = time.monotonic()
        b = f.parsemail(f.via, raw, "--ingest-timeout", "2", sock=f.sock)
        assert b.returncode == 0 and b"no answer" in b.stderr and b"storing the mail directly" in b.stderr, b
        assert time.monotonic() - start < 9
        assert f.count(f.via, "<t1@example.com>") == 1
        # After its read timeout the server drops the half request and
        # stores the queued one: a duplicate. A mail through it now shows it
        # has done both and still serves.
        raw2 = mail("<t2@example.com>", "[PATCH] after the pause", DIFF.format(n=12))
        b2 = f.parsemail(f.via, raw2, sock=f.sock)
        assert b2.returncode == 0 and b"storing the mail directly" not in b2.stderr, (b2, server.state())
        half.close()
        assert f.count(f.via, "<t0@example.com>") == 0
        assert f.count(f.via, "<t1@example.com>") == 1 and f.count(f.via, "<t2@example.com>") == 1
        for raw_ in (raw, raw2):
            a = f.parsemail(f.direct, raw_)
            assert a.returncode == 0, a
    finally:
        server.stop()
    assert dump(f.via) == dump(f.direct)


@test
def killed_server_while_a_client_waits(f):
    server = Server(f.binary, f.via, f.sock)
    raw = mail("<k1@example.com>", "[PATCH] server dies", DIFF.format(n=13))
    try:
        os.kill(server.p.pid, signal.SIGSTOP)
        p = f.parsemail(f.via, raw, sock=f.sock, wait=False)
        time.sleep(0.5)
        assert p.poll() is None, "the client did not wait for the server"
        os.kill(server.p.pid, signal.SIGKILL)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and b"storing the mail directly" in err, (p.returncode, err)
    finally:
        server.p.wait(timeout=30)
    assert f.count(f.via, "<k1@example.com>") == 1
    assert os.path.exists(f.sock), "kill -9 leaves the socket file"
    a = f.parsemail(f.direct, raw)
    assert a.returncode == 0, a
    # Nobody listens on the stale file: refused, and stored by the client
    # (a duplicate now, as directly).
    b = f.parsemail(f.via, raw, sock=f.sock)
    assert b.returncode == 0 and b"Connection refused" in b.stderr and b"Duplicate" in b.stderr, b
    # The next server replaces the stale file; the same mail through it is a
    # duplicate, reported as direct parsemail reports it.
    server = Server(f.binary, f.via, f.sock)
    try:
        a = f.parsemail(f.direct, raw)
        b = f.parsemail(f.via, raw, sock=f.sock)
        assert (b.returncode, b.stderr) == (a.returncode, a.stderr), (a, b)
        assert b"Duplicate" in b.stderr, b.stderr
    finally:
        server.stop()
    assert f.count(f.via, "<k1@example.com>") == 1
    assert dump(f.via) == dump(f.direct)


@test
def pipe_binary_when_the_server_is_killed(f):
    server = Server(f.binary, f.pipe_db, f.pipe_sock)
    raw = mail("<k2@example.com>", "[PATCH] server dies under the pipe", DIFF.format(n=16))
    try:
        os.kill(server.p.pid, signal.SIGSTOP)
        p = f.parsemail(f.pipe_db, raw, sock=f.pipe_sock, wait=False, pipe=True)
        time.sleep(0.5)
        assert p.poll() is None, "the client did not wait for the server"
        os.kill(server.p.pid, signal.SIGKILL)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and b"storing the mail directly" in err, (p.returncode, err)
    finally:
        server.p.wait(timeout=30)
    assert f.count(f.pipe_db, "<k2@example.com>") == 1
    # The same mail again, through a new server on the stale socket's path.
    server = Server(f.binary, f.pipe_db, f.pipe_sock)
    try:
        c = f.parsemail(f.pipe_db, raw, sock=f.pipe_sock, pipe=True)
        assert c.returncode == 0 and b"Duplicate mail" in c.stderr and b"directly" not in c.stderr, c
    finally:
        server.stop()
    assert f.count(f.pipe_db, "<k2@example.com>") == 1


@test
def stream_clients_see_a_handed_mail(f):
    """The events of a mail the server stored reach /api/events/stream as a
    parsemail's would (the hub wakes on the commit)."""
    server = Server(f.binary, f.via, f.sock)
    try:
        s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        s.sendall(b"GET /api/events/stream/?project=sock&category=patch-created HTTP/1.1\r\n"
                  b"Host: pb.test\r\n\r\n")
        got = b""
        while b"\r\n\r\n" not in got:
            got += s.recv(4096)
        assert got.startswith(b"HTTP/1.1 200"), got
        raw = mail("<e1@example.com>", "[PATCH] streamed", DIFF.format(n=17))
        b = f.parsemail(f.via, raw, sock=f.sock)
        assert b.returncode == 0 and b"directly" not in b.stderr, b
        deadline = time.monotonic() + 20
        while b"e1@example.com" not in got and time.monotonic() < deadline:
            got += s.recv(65536)
        assert b"event: patch-created" in got and b"e1@example.com" in got, got
        s.close()
        a = f.parsemail(f.direct, raw)
        assert a.returncode == 0, a
    finally:
        server.stop()
    assert dump(f.via) == dump(f.direct)


@test
def clients_at_once(f):
    """An MTA running several pipes: 4 clients of each kind at once, 40
    mails (a 10-patch series, replies, duplicates); every one answered by
    the server, and the rows those of direct parsemail in one order."""
    import concurrent.futures
    mails = []
    for i in range(1, 11):
        mails.append(mail("<c%d@example.com>" % i, "[PATCH v2 %d/10] part %d" % (i, i),
                          "Part.\n\n" + DIFF.format(n=100 + i)))
    for i in range(1, 11):
        mails.append(mail("<cr%d@example.com>" % i, "Re: [PATCH v2 %d/10] part %d" % (i, i),
                          "Acked-by: Bob <bob@example.com>\n",
                          extra="In-Reply-To: <c%d@example.com>\nReferences: <c%d@example.com>\n" % (i, i)))
    mails += mails[:10]  # duplicates
    server = Server(f.binary, f.via, f.sock)
    pipe_server = Server(f.binary, f.pipe_db, f.pipe_sock)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            via = list(pool.map(lambda m: f.parsemail(f.via, m, sock=f.sock), mails))
            pipe = list(pool.map(lambda m: f.parsemail(f.pipe_db, m, sock=f.pipe_sock, pipe=True), mails))
    finally:
        server.stop()
        pipe_server.stop()
    for r in via + pipe:
        assert r.returncode == 0 and b"directly" not in r.stderr, r
    for url in (f.via, f.pipe_db):
        with testdb.connect(url) as c:
            assert c.execute("SELECT COUNT(*) FROM patches WHERE msgid LIKE '<c%'").fetchone()[0] == 10
            assert c.execute("SELECT COUNT(*) FROM patch_comments WHERE msgid LIKE '<cr%'").fetchone()[0] == 10
            rows = c.execute("SELECT s.received_total, COUNT(p.id) FROM series s JOIN patches p "
                             "ON p.series_id = s.id WHERE p.msgid LIKE '<c%' GROUP BY s.id").fetchall()
            assert rows == [(10, 10)], rows


@test
def a_live_socket_is_not_taken_over(f):
    server = Server(f.binary, f.via, f.sock)
    try:
        r = subprocess.run([f.binary, "serve", "--database", f.via, "--listen", "127.0.0.1:0",
                            "--ingest-socket", f.sock], capture_output=True, timeout=60)
        assert r.returncode == 1 and b"another process is listening" in r.stderr, r
        raw = mail("<l1@example.com>", "[PATCH] still served", DIFF.format(n=14))
        b = f.parsemail(f.via, raw, sock=f.sock)
        assert b.returncode == 0 and b"storing the mail directly" not in b.stderr, b
    finally:
        server.stop()


@test
def a_pipe_of_another_database_stores_the_mail_itself(f):
    """A pipe whose --database is not the server's must not have its mail
    land in the server's database: it stores the mail where it was told."""
    other = testdb.new_url(f.tmp, "other.db")
    r = subprocess.run([f.binary, "project", "create", "--database", other, "--linkname", "sock",
                        "--name", "Sock", "--listid", LIST, "--listemail", "sock@" + LIST],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    server = Server(f.binary, f.via, f.sock)
    try:
        for n, pipe in ((16, False), (17, True)):
            msgid = "<o%d@example.com>" % n
            raw = mail(msgid, "[PATCH] meant for another database", DIFF.format(n=n))
            r = f.parsemail(other, raw, sock=f.sock, pipe=pipe)
            assert r.returncode == 0 and b"another database" in r.stderr, (r, server.state())
            assert f.count(other, msgid) == 1 and f.count(f.via, msgid) == 0, msgid
        # The server's own database, spelled another way, is still its own.
        if f.via.startswith("sqlite://"):
            path = f.via[len("sqlite://"):]
            alias = os.path.join(os.path.dirname(path), ".", os.path.basename(path))
            raw = mail("<o18@example.com>", "[PATCH] same file, other spelling", DIFF.format(n=18))
            r = f.parsemail(alias, raw, sock=f.sock, pipe=True)
            assert r.returncode == 0 and b"storing the mail directly" not in r.stderr, r
            assert f.count(f.via, "<o18@example.com>") == 1
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--pipe", help="patchbay-parsemail (default: beside --binary)")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    pipe = os.path.abspath(args.pipe or os.path.join(os.path.dirname(binary), "patchbay-parsemail"))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patchbay-sock-") as tmp:
        f = Fixture(binary, pipe, tmp)
        for t in TESTS:  # in order: each compares all rows so far
            try:
                t(f)
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
