#!/usr/bin/env python3
"""`patchbay import` from every kind of upstream database into the backend
this pass of the suite runs on (issue #12, section 3):

* MariaDB: a throwaway mariadbd of the test's own (mariadb_server.py) is
  loaded with ../shared/golden/upstream-db/golden-v3.1.3.mariadb.sql, made by
  real upstream v3.1.3; it is imported once over TCP with a password
  (mysql://user:pass@127.0.0.1:PORT/db) and once over the Unix socket
  (mariadb://root@localhost/db?socket=...).
* On the PostgreSQL pass, into PostgreSQL targets: the golden SQLite file,
  and upstream's pg_dump restored as a source database in the suite's
  cluster.

Each target must hold the rows of the reference (the golden SQLite file
imported into a SQLite file), answer the golden replay 125/125, and give a
newly delivered mail the next ids (PostgreSQL sequences continue after the
explicit ids the import wrote).

Skips (exit 77) when ../shared is absent.

usage: import_sources.py --binary build/patchbay --shared ../shared
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_golden  # noqa: E402
import mariadb_server  # noqa: E402
import testdb  # noqa: E402
from run import Results  # noqa: E402

NEW_MAIL = b"""From: Grace Hopper <grace@example.com>
To: qemu-devel@nongnu.org
List-Id: <qemu-devel.nongnu.org>
Subject: [PATCH] vl: after the import
Date: Wed, 02 Dec 2026 08:00:00 +0000
Message-Id: <after-import@example.com>

Signed-off-by: Grace Hopper <grace@example.com>
---
diff --git a/vl.c b/vl.c
--- a/vl.c
+++ b/vl.c
@@ -1 +1 @@
-old
+new
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    a.patchwork_repo = ""
    updir = os.path.join(a.shared, "golden/upstream-db")
    if not os.path.exists(os.path.join(updir, "golden-v3.1.3.mariadb.sql")) or \
            not os.path.exists(os.path.join(a.shared, "tools/golden_replay.py")):
        print("skipped: ../shared/golden/upstream-db is not here\n0 passed, 0 failed")
        return 77
    binary = os.path.abspath(a.binary)
    res = Results()

    def imp(source, target):
        return subprocess.run([binary, "import", "--from", source, "--database", target],
                              capture_output=True, text=True, timeout=300)

    with tempfile.TemporaryDirectory(prefix="patchbay-import-src-") as tmp:
        ref_path = os.path.join(tmp, "reference.db")
        r = imp("sqlite://" + os.path.join(updir, "golden-v3.1.3.sqlite3"), "sqlite://" + ref_path)
        res.check("reference import of the golden SQLite file", r.returncode == 0, r.stderr)
        ref = import_golden.dump_rows(ref_path)

        def verify(label, target, replay):
            """Rows equal to the reference's, then the replay, then new ids."""
            rows = import_golden.dump_rows(target)
            res.check(label + ": rows equal the SQLite source's", rows == ref,
                      import_golden.first_difference(ref, rows))
            if replay:
                import_golden.serve_and_replay(binary, target, a, res.check, gitpw=False)
            conn = testdb.connect(target)
            max_patch = conn.execute("SELECT MAX(id) FROM patches").fetchone()[0]
            max_person = conn.execute("SELECT MAX(id) FROM people").fetchone()[0]
            conn.close()
            p = subprocess.run([binary, "parsemail", "--database", target], input=NEW_MAIL,
                               capture_output=True, timeout=60)
            conn = testdb.connect(target)
            got = conn.execute("SELECT p.id, p.submitter_id FROM patches p"
                               " WHERE p.msgid = '<after-import@example.com>'").fetchall()
            conn.close()
            res.check(label + ": a new mail gets the next patch and person ids",
                      p.returncode == 0 and got == [(max_patch + 1, max_person + 1)],
                      "parsemail %d %r, got %r, want %r" % (
                          p.returncode, p.stderr[-500:], got, [(max_patch + 1, max_person + 1)]))

        # MariaDB, over TCP with a password and over the socket.
        if not mariadb_server.available():
            res.check("MariaDB server binaries (Debian mariadb-server, scripts/install-deps.sh)",
                      False, "mariadb-install-db / mariadbd / mariadb not found")
        else:
            server = mariadb_server.Server(tmp)
            try:
                server.load(os.path.join(updir, "golden-v3.1.3.mariadb.sql"))
                server.sql("CREATE USER 'pb'@'127.0.0.1' IDENTIFIED BY 'p@ss:w/rd';"
                           " GRANT SELECT ON upstream.* TO 'pb'@'127.0.0.1'")
                tcp = "mysql://pb:p%%40ss%%3Aw%%2Frd@127.0.0.1:%d/upstream" % server.port
                target = testdb.new_url(tmp, "from-mariadb-tcp.db")
                r = imp(tcp, target)
                res.check("import from MariaDB over TCP with a password",
                          r.returncode == 0 and "as many rows as upstream" in r.stderr, r.stderr)
                if r.returncode == 0:
                    verify("MariaDB over TCP", target, replay=True)

                sock = "mariadb://root@localhost/upstream?socket=" + server.socket
                target = testdb.new_url(tmp, "from-mariadb-socket.db")
                r = imp(sock, target)
                res.check("import from MariaDB over its Unix socket", r.returncode == 0, r.stderr)
                if r.returncode == 0:
                    rows = import_golden.dump_rows(target)
                    res.check("MariaDB over the socket: rows equal the SQLite source's",
                              rows == ref, import_golden.first_difference(ref, rows))

                r = imp("mysql://pb:wrong@127.0.0.1:%d/upstream" % server.port,
                        testdb.new_url(tmp, "refused.db"))
                res.check("a wrong MariaDB password fails with the server's message",
                          r.returncode != 0 and "Access denied" in r.stderr, r.stderr)
            finally:
                server.stop()

        # PostgreSQL targets (the PostgreSQL pass only): from the golden
        # SQLite file, and from upstream's pg_dump restored next to them.
        if testdb.is_postgres():
            target = testdb.new_url(tmp, "from-sqlite.db")
            r = imp("sqlite://" + os.path.join(updir, "golden-v3.1.3.sqlite3"), target)
            res.check("import of the golden SQLite file into PostgreSQL", r.returncode == 0,
                      r.stderr)
            if r.returncode == 0:
                verify("SQLite into PostgreSQL", target, replay=True)
                # The import drops secondary indexes and foreign keys and makes
                # them again at its end: the same set as a freshly migrated
                # database, and nothing left pending.
                fresh = testdb.new_url(tmp, "fresh.db")
                subprocess.run([binary, "migrate", "--database", fresh],
                               capture_output=True, check=True, timeout=60)

                def schema_objects(url):
                    conn = testdb.connect(url)
                    out = conn.execute(
                        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)"
                        " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                        " WHERE c.relnamespace = current_schema()::regnamespace"
                        " ORDER BY 1, 2").fetchall()
                    out += conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes"
                                        " WHERE schemaname = current_schema()"
                                        " ORDER BY 1, 2").fetchall()
                    out.append(conn.execute("SELECT COUNT(*) FROM import_pending_indexes")
                               .fetchone())
                    conn.close()
                    return [tuple(row) for row in out]
                got, want = schema_objects(target), schema_objects(fresh)
                res.check("SQLite into PostgreSQL: every index and foreign key made again",
                          got == want and any(row[2:3] and str(row[2]).startswith("FOREIGN KEY")
                                              for row in want),
                          "missing %r, extra %r" % (sorted(set(want) - set(got))[:5],
                                                    sorted(set(got) - set(want))[:5]))

            # Upstream's dump into an empty database (not patchbay's migrated template).
            psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
            name = "upstream_pg_%d" % os.getpid()
            admin = testdb._psycopg2().connect(testdb.admin_url())
            admin.autocommit = True
            admin.cursor().execute('CREATE DATABASE "%s" TEMPLATE template0' % name)
            admin.close()
            source = testdb.with_dbname(testdb.admin_url(), name)
            try:
                with open(os.path.join(updir, "golden-v3.1.3.postgres.sql"), "rb") as f:
                    subprocess.run([psql, "-qX", "-v", "ON_ERROR_STOP=1", source], stdin=f,
                                   check=True, stdout=subprocess.DEVNULL, timeout=120)
                target = testdb.new_url(tmp, "from-postgres.db")
                r = imp(source, target)
                res.check("import from PostgreSQL into PostgreSQL", r.returncode == 0, r.stderr)
                if r.returncode == 0:
                    verify("PostgreSQL into PostgreSQL", target, replay=False)
            finally:
                testdb.drop_database(name)

    print(f"{res.passed} passed, {res.failed} failed")
    return 0 if res.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
