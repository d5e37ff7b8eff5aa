#!/usr/bin/env python3
"""PostgreSQL faults (issue #12, section 1), on a cluster of the test's own
(the suite's shared cluster must not be stopped under the other tests):

* while the database is down, API requests get a JSON 503 and pages an HTML
  503, and the server keeps running; once it is back, the next requests
  succeed without a restart;
* parsemail during the outage exits 75 (EX_TEMPFAIL) and stores nothing;
  delivered again after the outage, the mail is stored; parsearchive exits
  75 too;
* a write that loses the database half-way (after its reads) gets a JSON
  503, not a 500, and the next write reconnects;
* with every connection slot taken, parsemail waits for a free one instead
  of failing;
* a migration that fails is rolled back and `serve` refuses to start with
  a message saying so.

Runs when the suite runs on PostgreSQL (PATCHBAY_TEST_DATABASE) and the
server binaries are installed; skipped (77) otherwise.

usage: postgres_faults.py --binary build/patchbay
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import testdb
from run import Results

MAIL = b"""From: Ada Lovelace <ada@example.com>
To: demo@lists.example.com
List-Id: <demo.lists.example.com>
Subject: [PATCH] README: %(what)s
Date: Tue, 01 Aug 2023 17:10:01 +0000
Message-Id: <%(what)s@example.com>

Signed-off-by: Ada Lovelace <ada@example.com>
---
diff --git a/README b/README
--- a/README
+++ b/README
@@ -1 +1 @@
-old
+%(what)s
"""


def mail(what):
    return MAIL % {b"what": what.encode()}


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run by `postgres` when
    we are root, listening only on its own Unix socket."""

    def __init__(self, tmp, max_connections=20):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = os.path.join(tmp, "pg")
        os.mkdir(self.dir)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.run("initdb", "-D", self.dir + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        self.options = ("-k %s -p %d -c listen_addresses='' -c fsync=off -c max_connections=%d "
                        "-c superuser_reserved_connections=0" % (self.dir, self.port, max_connections))
        self.start()

    def run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def start(self):
        self.run("pg_ctl", "-D", self.dir + "/data", "-w", "-l", self.dir + "/log", "-o", self.options, "start")

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.dir + "/data", "-w", "-m", mode, "stop")

    def url(self, db="postgres"):
        return "postgresql://postgres@/%s?host=%s&port=%d" % (db, self.dir, self.port)

    def sql(self, statement, db="postgres"):
        c = testdb._psycopg2().connect(self.url(db))
        c.autocommit = True
        c.cursor().execute(statement)
        c.close()


def pb(binary, db, *args, stdin=None):
    return subprocess.run([binary, *args, "--database", db], input=stdin, capture_output=True, timeout=120)


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def outage(binary, cluster, r):
    cluster.sql("CREATE DATABASE outage")
    db = cluster.url("outage")
    pb(binary, db, "project", "create", "--linkname", "demo", "--name", "Demo",
       "--listid", "demo.lists.example.com", "--listemail", "demo@lists.example.com")
    r.check("parsemail before the outage", pb(binary, db, "parsemail", stdin=mail("one")).returncode == 0)
    srv = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = re.search(r"(http://\S+)/", srv.stdout.readline()).group(1)
        count = lambda: len(json.loads(get(base, "/api/patches/")[2]))
        r.check("serving before the outage", count() == 1)
        cluster.stop()
        st, h, b = get(base, "/api/patches/")
        r.check("API during the outage: JSON 503", st == 503 and h.get("Content-Type") == "application/json"
                and "detail" in json.loads(b), (st, h, b[:200]))
        st, h, b = get(base, "/project/demo/list/")
        r.check("page during the outage: HTML 503", st == 503 and h.get("Content-Type", "").startswith("text/html")
                and b"503" in b, (st, h, b[:200]))
        st, h, b = get(base, "/api/1.3/projects/")
        r.check("API during the outage, again: 503", st == 503, st)
        p = pb(binary, db, "parsemail", stdin=mail("two"))
        r.check("parsemail during the outage exits 75", p.returncode == 75, (p.returncode, p.stderr[-300:]))
        mbox = os.path.join(cluster.dir, "..", "two.mbox")
        with open(mbox, "wb") as f:
            f.write(b"From nobody Tue Aug  1 17:10:01 2023\n" + mail("two"))
        p = pb(binary, db, "parsearchive", mbox)
        r.check("parsearchive during the outage exits 75", p.returncode == 75, (p.returncode, p.stderr[-300:]))
        r.check("server survived the outage", srv.poll() is None)
        cluster.start()
        st, h, b = get(base, "/api/patches/")
        r.check("API after the outage: 200 at the first request", st == 200 and len(json.loads(b)) == 1,
                (st, b[:200]))
        st, h, b = get(base, "/project/demo/list/")
        r.check("page after the outage: 200", st == 200, st)
        p = pb(binary, db, "parsemail", stdin=mail("two"))
        r.check("the MTA's retry is stored", p.returncode == 0, p.stderr[-300:])
        r.check("both threads' servers see it", count() == 2 and count() == 2)
        # Restarted under a live server again: the next request reconnects.
        cluster.stop()
        cluster.start()
        r.check("after a restart, no error at all", get(base, "/api/patches/")[0] == 200)
    finally:
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.kill()
    r.check("server exits cleanly", srv.returncode == 0, srv.returncode)


def write_lost_midway(binary, cluster, r):
    """The database goes away inside a write, after the request's reads
    succeeded: a trigger makes the backend terminate itself in the UPDATE.
    The API answers a JSON 503 (not a 500), and the next write succeeds."""
    cluster.sql("CREATE DATABASE midway")
    db = cluster.url("midway")
    pb(binary, db, "project", "create", "--linkname", "demo", "--name", "Demo",
       "--listid", "demo.lists.example.com", "--listemail", "demo@lists.example.com")
    pb(binary, db, "user", "create", "--username", "maint", "--email", "maint@example.com",
       "--password", "pw", "--maintainer", "demo")
    token = pb(binary, db, "user", "token", "maint").stdout.decode().strip()
    pb(binary, db, "parsemail", stdin=mail("one"))
    cluster.sql("CREATE FUNCTION pb_test_die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$", "midway")
    cluster.sql("CREATE TRIGGER pb_test_die BEFORE UPDATE ON patches FOR EACH ROW "
                "EXECUTE FUNCTION pb_test_die()", "midway")
    srv = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def patch(state):
        req = urllib.request.Request(base + "/api/patches/1/", method="PATCH",
                                     data=json.dumps({"state": state}).encode(),
                                     headers={"Authorization": "Token " + token,
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    try:
        base = re.search(r"(http://\S+)/", srv.stdout.readline()).group(1)
        st, h, b = patch("accepted")
        r.check("a write losing its database half-way: JSON 503",
                st == 503 and h.get("Content-Type") == "application/json" and b"detail" in b,
                (st, h, b[:200]))
        cluster.sql("DROP TRIGGER pb_test_die ON patches", "midway")
        st, h, b = patch("accepted")
        r.check("the next write reconnects and succeeds",
                st == 200 and json.loads(b).get("state") == "accepted", (st, b[:200]))
        r.check("server survived the lost write", srv.poll() is None)
    finally:
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.kill()


def connection_limit(binary, cluster, r):
    """max_connections=20 with none reserved: hold them all, parsemail waits."""
    cluster.sql("CREATE DATABASE busy")
    db = cluster.url("busy")
    pb(binary, db, "project", "create", "--linkname", "demo", "--name", "Demo",
       "--listid", "demo.lists.example.com", "--listemail", "demo@lists.example.com")
    pg = testdb._psycopg2()
    held = []
    while True:
        try:
            held.append(pg.connect(cluster.url("busy")))
        except pg.OperationalError:
            break
    release = threading.Timer(1.5, lambda: held.pop().close())
    release.start()
    t = time.time()
    p = pb(binary, db, "parsemail", stdin=mail("three"))
    waited = time.time() - t
    release.join()
    for c in held:
        c.close()
    r.check("connection slots full: parsemail waits, then stores", p.returncode == 0 and waited >= 1.0,
            (p.returncode, round(waited, 2), p.stderr[-300:]))


def failed_migration(binary, cluster, r):
    """A table in the way of migration 4 (sessions): it fails, is rolled back,
    and serve refuses to start, saying why."""
    cluster.sql("CREATE DATABASE broken")
    cluster.sql("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied BIGINT NOT NULL)", "broken")
    cluster.sql("CREATE TABLE sessions (x INTEGER)", "broken")
    db = cluster.url("broken")
    p = subprocess.run([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                       capture_output=True, timeout=60)
    r.check("serve refuses a failed migration", p.returncode != 0 and b"migration failed" in p.stderr
            and b"rolled back" in p.stderr, (p.returncode, p.stderr[-300:]))
    c = testdb.connect(db)
    version = c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    c.close()
    r.check("migrations before the failing one stay, the failing one is rolled back", version == 3, version)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    if not testdb.is_postgres():
        print("skipped: the suite is not running on PostgreSQL (PATCHBAY_TEST_DATABASE)")
        return 77
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        print("skipped: PostgreSQL server binaries not installed")
        return 77
    binary = os.path.abspath(a.binary)
    r = Results()
    with tempfile.TemporaryDirectory(prefix="patchbay-pgfaults-") as tmp:
        if os.getuid() == 0:
            shutil.chown(tmp, "postgres")
        cluster = Cluster(tmp)
        try:
            for step in (outage, write_lost_midway, connection_limit, failed_migration):
                try:
                    step(binary, cluster, r)
                except Exception as e:
                    r.check("%s raised" % step.__name__, False, repr(e))
        finally:
            try:
                cluster.stop("immediate")
            except Exception:
                pass
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
