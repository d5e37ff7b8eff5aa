#!/usr/bin/env python3
"""`patchbay migrate` while older processes serve (issue #12, section 1).

A server and a stream of reads and writes run on a database; meanwhile
`patchbay migrate` applies a migration this server's binary does not know
(the test-only one of src/db/migrations.cc, enabled by
PATCHBAY_TEST_EXTRA_MIGRATION: what a newer binary would bring: columns with
defaults on patches and projects, a new table and an index). Every request
before, during and after must succeed, and the older binary's parsemail must
still store mail into the newer schema.

Runs on the suite's backend (SQLite, or PostgreSQL with PATCHBAY_TEST_DATABASE).

usage: migrate_while_serving.py --binary build/patchbay
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testdb  # noqa: E402
from run import Results, Server  # noqa: E402

MAIL = """From: Ada Lovelace <ada@example.com>
To: demo@lists.example.com
List-Id: <demo.lists.example.com>
Subject: [PATCH] README: {n}
Date: Tue, 01 Aug 2023 17:10:01 +0000
Message-Id: <migrate-{n}@example.com>

Signed-off-by: Ada Lovelace <ada@example.com>
---
diff --git a/README b/README
--- a/README
+++ b/README
@@ -1 +1 @@
-old
+{n}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    res = Results()
    env = {k: v for k, v in os.environ.items() if k != "PATCHBAY_TEST_EXTRA_MIGRATION"}

    with tempfile.TemporaryDirectory(prefix="patchbay-migrate-") as tmp:
        url = testdb.new_url(tmp, "migrate.db")

        def cli(*args, stdin=None, extra_env=None):
            return subprocess.run([binary, *args, "--database", url], input=stdin,
                                  capture_output=True, text=True, timeout=120,
                                  env={**env, **(extra_env or {})})

        r = cli("migrate")
        res.check("migrate a new database", r.returncode == 0, r.stderr)
        old_version = int(r.stdout.split("schema version ")[1].split()[0])
        cli("project", "create", "--linkname", "demo", "--name", "Demo", "--listid",
            "demo.lists.example.com", "--listemail", "demo@lists.example.com")
        cli("user", "create", "--username", "maint", "--email", "maint@example.com",
            "--password", "pw", "--maintainer", "demo")
        token = cli("user", "token", "maint").stdout.strip()
        for n in range(3):
            r = cli("parsemail", stdin=MAIL.format(n=n))
            res.check("parsemail %d before the migration" % n, r.returncode == 0, r.stderr)

        server = Server(binary, url)
        failures = []
        count = [0]
        stop = threading.Event()

        def traffic():
            # Reads of every kind the migration touches, and a write that
            # changes a patch (a transaction on the altered table).
            states = ["accepted", "new"]
            i = 0
            while not stop.is_set():
                i += 1
                for method, path, body in (
                        ("GET", "/api/patches/", None),
                        ("GET", "/api/patches/1/", None),
                        ("GET", "/project/demo/list/", None),
                        ("GET", "/api/projects/demo/", None),
                        ("PATCH", "/api/patches/2/",
                         json.dumps({"state": states[i % 2]}).encode())):
                    headers = {"Authorization": "Token " + token,
                               "Content-Type": "application/json"} if body else {}
                    try:
                        status, _, data = server.request(method, path, headers=headers, body=body,
                                                         host="127.0.0.1")
                    except Exception as e:  # noqa: BLE001
                        status, data = 0, str(e).encode()
                    count[0] += 1
                    if status != 200:
                        failures.append("%s %s: %d %s" % (method, path, status, data[:200]))

        t = threading.Thread(target=traffic)
        t.start()
        try:
            # Requests before, then the migration while they go on.
            while count[0] < 20 and t.is_alive():
                threading.Event().wait(0.05)
            during_start = count[0]
            r = cli("migrate", extra_env={"PATCHBAY_TEST_EXTRA_MIGRATION": "1"})
            res.check("the newer migration applies while the server serves",
                      r.returncode == 0 and "schema version %d" % (old_version + 1) in r.stdout,
                      r.stdout + r.stderr)
            # And after it, until a good number of requests ran on the new schema.
            after = count[0]
            while count[0] < after + 40 and t.is_alive():
                threading.Event().wait(0.05)
            r = cli("parsemail", stdin=MAIL.format(n=9))
            res.check("the older binary's parsemail stores mail in the newer schema",
                      r.returncode == 0, r.stderr)
        finally:
            stop.set()
            t.join(timeout=60)
            server.proc.terminate()
            server.proc.wait(timeout=10)
            server_log = server.proc.stderr.read()
        res.check("requests ran before, during and after (%d)" % count[0],
                  count[0] >= during_start + 40 and during_start >= 20)
        res.check("every request succeeded across the migration", not failures,
                  "\n".join(failures[:5]) + "\nserver log:\n" + server_log[-3000:])

        conn = testdb.connect(url)
        got = conn.execute("SELECT COUNT(*), MIN(test_extra) FROM patches").fetchone()
        version = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        conn.close()
        res.check("the new column is there with its default, every mail stored",
                  tuple(got) == (4, 0) and version == old_version + 1, "%r %r" % (got, version))
        r = cli("migrate")
        res.check("the older binary's migrate leaves the newer schema alone",
                  r.returncode == 0 and "schema version %d" % (old_version + 1) in r.stdout,
                  r.stdout + r.stderr)

    print(f"{res.passed} passed, {res.failed} failed")
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
