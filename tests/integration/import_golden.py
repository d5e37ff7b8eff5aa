#!/usr/bin/env python3
"""`patchbay import` on the golden state written by real upstream Patchwork
v3.1.3 (../shared/golden/upstream-db/golden-v3.1.3.sqlite3): the imported
database must answer the golden replay as upstream itself did (125/125), and,
when a getpatchwork/patchwork clone is given, the git-pw transcript (51/51).

Also checks that a non-empty target is refused, and that an interrupted
import (rows of the last tables missing) is completed by --resume.

Skips (exit 77) when ../shared is absent.

usage: import_golden.py --binary build/patchbay --shared ../shared
                        [--patchwork-repo DIR | $PATCHBAY_PATCHWORK_REPO]
"""
import argparse
import glob
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile

import testdb


# Tables whose rows do not depend on when the test ran.
# Each upstream backend was built on its own: users have their own password
# salts and join times, so only their other columns are compared.
COMPARED = ("users (id, username, first_name, last_name, email, is_superuser, items_per_page)",
            "tokens (key, user_id)", "projects", "project_maintainers", "people", "states", "tags",
            "covers", "series", "series_references", "patches", "patch_tags",
            "patch_comments", "cover_comments", "delegation_rules")


def dump_rows(path):
    """The COMPARED rows of a patchbay database: a SQLite file or any URL."""
    conn = testdb.connect(path if "://" in path else "sqlite://" + path)
    rows = {}
    for t in COMPARED:
        table, _, cols = t.partition(" ")
        sql = f"SELECT {cols.strip('()') or '*'} FROM {table}"
        rows[t] = sorted(conn.execute(sql).fetchall(), key=repr)
    conn.close()
    return rows


def first_difference(a, b):
    for t in COMPARED:
        if a[t] != b[t]:
            for x, y in zip(a[t], b[t]):
                if x != y:
                    return f"{t}: {x!r}\n  vs {y!r}"
            return f"{t}: {len(a[t])} rows vs {len(b[t])}"
    return ""


class Cluster:
    """A throwaway PostgreSQL cluster in the test's directory, run by
    `postgres` when we are root, on its own Unix socket only."""

    def __init__(self, tmp, bindir):
        self.bin = bindir
        self.dir = os.path.join(tmp, "pg")
        os.chmod(tmp, 0o755)  # the `postgres` user walks into it
        os.mkdir(self.dir)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.run("initdb", "-D", self.dir + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        self.run("pg_ctl", "-D", self.dir + "/data", "-w", "-l", self.dir + "/log", "-o",
                 "-k %s -p %d -c listen_addresses='' -c fsync=off" % (self.dir, self.port), "start")

    def run(self, tool, *args, stdin=None):
        cmd = [os.path.join(self.bin, tool), *args]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=stdin, timeout=120)

    def url(self, db):
        return "postgresql://postgres@/%s?host=%s&port=%d" % (db, self.dir, self.port)

    def load(self, dump):
        self.run("psql", "-qX", self.url("postgres"), "-c", "CREATE DATABASE upstream")
        with open(dump, "rb") as f:
            self.run("psql", "-qX", "-v", "ON_ERROR_STOP=1", self.url("upstream"), stdin=f)

    def stop(self):
        self.run("pg_ctl", "-D", self.dir + "/data", "-w", "-m", "immediate", "stop")


def serve_and_replay(binary, db, a, check, gitpw):
    replay = os.path.join(a.shared, "tools/golden_replay.py")
    label = " (" + db.rsplit("/", 1)[-1] + ")"
    server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = re.search(r"(http://[^/\s]+)", server.stdout.readline()).group(1)
        r = subprocess.run([sys.executable, replay, base, "--golden",
                            os.path.join(a.shared, "golden")],
                           capture_output=True, text=True, timeout=300)
        check("golden replay on the imported database" + label, r.returncode == 0,
              "\n".join(r.stdout.splitlines()[-15:]))
        print("     golden replay: " + (r.stdout.strip().splitlines() or ["?"])[-1])
        gitpw_tool = os.path.join(a.shared, "tools/gitpw_replay.sh")
        if gitpw and a.patchwork_repo and os.path.exists(gitpw_tool):
            r = subprocess.run(["bash", gitpw_tool, base, "--repo", a.patchwork_repo,
                                "--golden", os.path.join(a.shared, "golden")],
                               capture_output=True, text=True, timeout=600)
            check("git-pw transcript on the imported database", r.returncode == 0,
                  "\n".join(r.stdout.splitlines()[-15:]) + r.stderr[-2000:])
            print("     git-pw replay: " + (r.stdout.strip().splitlines() or ["?"])[-1])
        elif gitpw:
            print("     git-pw replay not run: no --patchwork-repo / $PATCHBAY_PATCHWORK_REPO")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--patchwork-repo", default=os.environ.get("PATCHBAY_PATCHWORK_REPO", ""))
    a = ap.parse_args()
    source = os.path.join(a.shared, "golden/upstream-db/golden-v3.1.3.sqlite3")
    replay = os.path.join(a.shared, "tools/golden_replay.py")
    if not os.path.exists(source) or not os.path.exists(replay):
        print("skipped: ../shared/golden/upstream-db is not here\n0 passed, 0 failed")
        return 77
    binary = os.path.abspath(a.binary)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"\n     {detail}"), flush=True)

    with tempfile.TemporaryDirectory(prefix="patchbay-import-") as tmp:
        path = os.path.join(tmp, "imported.db")
        db = "sqlite://" + path

        def imp(*extra):
            return subprocess.run([binary, "import", "--from", "sqlite://" + source,
                                   "--database", db, *extra],
                                  capture_output=True, text=True, timeout=120)

        r = imp()
        check("import", r.returncode == 0 and "as many rows as upstream" in r.stderr,
              r.stdout + r.stderr)
        r = imp()
        check("non-empty target refused", r.returncode != 0 and "already holds data" in r.stderr,
              r.stdout + r.stderr)

        # The import drops secondary indexes and makes them again at its end:
        # the target must have every index a freshly migrated database has.
        fresh = os.path.join(tmp, "fresh.db")
        subprocess.run([binary, "migrate", "--database", "sqlite://" + fresh],
                       capture_output=True, check=True, timeout=60)

        def indexes(p):
            c = sqlite3.connect(p)
            out = sorted(c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
            pending = c.execute("SELECT COUNT(*) FROM import_pending_indexes").fetchone()[0]
            c.close()
            return out, pending
        want_indexes = indexes(fresh)
        check("every index made again after the copy", indexes(path) == want_indexes,
              f"{indexes(path)} != {want_indexes}")

        # An interruption after some batches: the newest events and the
        # tables after them are missing, and the indexes not yet made again.
        up = sqlite3.connect(source)
        want = {t: up.execute(f"SELECT COUNT(*) FROM {s}").fetchone()[0] for t, s in
                (("events", "patchwork_event"), ("patch_tags", "patchwork_patchtag"),
                 ("users", "auth_user"), ("tokens", "authtoken_token"))}
        up.close()
        conn = sqlite3.connect(path)
        conn.execute("DELETE FROM events WHERE id > 100")
        conn.execute("DELETE FROM patch_tags")
        pending = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                               " AND name IN ('events_patch', 'patches_hash')").fetchall()
        for name, sql in pending:
            conn.execute("INSERT INTO import_pending_indexes (name, definition) VALUES (?, ?)",
                         (name, sql))
            conn.execute(f"DROP INDEX {name}")
        conn.commit()
        conn.close()
        r = imp("--resume")
        check("--resume makes the indexes an interrupted import had not made yet",
              len(pending) == 2 and indexes(path) == want_indexes, f"{indexes(path)}")
        conn = sqlite3.connect(path)
        got = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in want}
        conn.close()
        check("--resume completes an interrupted import", r.returncode == 0 and got == want,
              f"{got} != {want}\n{r.stderr}")

        # Ids, password hashes, tokens and the two clocks.
        up = sqlite3.connect(source)
        conn = sqlite3.connect(path)
        check("patch ids and msgids kept",
              sorted(up.execute("SELECT id, msgid, project_id FROM patchwork_patch")) ==
              sorted(conn.execute("SELECT id, msgid, project_id FROM patches")))
        check("password hashes and tokens kept",
              sorted(up.execute("SELECT u.id, u.password, t.key FROM auth_user u"
                                " JOIN authtoken_token t ON t.user_id = u.id")) ==
              sorted(conn.execute("SELECT u.id, u.password, t.key FROM users u"
                                  " JOIN tokens t ON t.user_id = u.id")))
        # date_joined is Canberra time (Django's timezone.now()), in December
        # UTC+11; event dates are UTC (datetime.utcnow() in v3.1).
        joined = up.execute("SELECT date_joined FROM auth_user WHERE id = 1").fetchone()[0]
        event = up.execute("SELECT date FROM patchwork_event WHERE id = 1").fetchone()[0]
        got_joined, got_event = conn.execute(
            "SELECT (SELECT date_joined FROM users WHERE id = 1),"
            " (SELECT date FROM events WHERE id = 1)").fetchone()
        to_micros = lambda s, off: int(up.execute(
            "SELECT CAST(strftime('%s', ?1) AS INTEGER) * 1000000"
            " + CAST(substr(strftime('%f', ?1), 4) AS INTEGER) * 1000"
            " + CAST(COALESCE(NULLIF(substr(?1, 24, 3), ''), '0') AS INTEGER)", (s,)).fetchone()[0]) \
            - off * 3600 * 1000000
        check("Django dates from Canberra time, event dates as UTC",
              got_joined == to_micros(joined, 11) and got_event == to_micros(event, 0),
              f"{got_joined} vs {joined}, {got_event} vs {event}")
        up.close()
        conn.close()

        # A person whose address is an active user's own is linked to that
        # user (upstream links it at registration); an inactive user's is not.
        linked_src = os.path.join(tmp, "linked-source.db")
        shutil.copy(source, linked_src)
        up = sqlite3.connect(linked_src)
        up.execute("UPDATE auth_user SET is_active = 0 WHERE username = 'bob'")
        up.execute("INSERT INTO patchwork_person (id, email, name, user_id) VALUES"
                   " (9001, 'Admin@Example.com', 'Ada', NULL), (9002, 'bob@example.com', 'Bob', NULL)")
        up.commit()
        up.close()
        linked = os.path.join(tmp, "linked.db")
        r = subprocess.run([binary, "import", "--quiet", "--from", "sqlite://" + linked_src,
                            "--database", "sqlite://" + linked], capture_output=True, text=True,
                           timeout=120)
        conn = sqlite3.connect(linked) if r.returncode == 0 else None
        got = sorted(conn.execute("SELECT id, user_id FROM people WHERE id > 9000")) if conn else None
        unlinked_kept = conn.execute("SELECT COUNT(*) FROM people WHERE id < 9000 AND user_id IS NOT NULL"
                                     ).fetchone()[0] if conn else None
        check("import links a user's own address, not an inactive user's",
              got == [(9001, 1), (9002, None)] and unlinked_kept == 0, (got, unlinked_kept, r.stderr))
        if conn:
            conn.close()

        a_rows = dump_rows(path)  # before the replay's writes
        serve_and_replay(binary, db, a, check, gitpw=True)

        # The same state restored into PostgreSQL from upstream's pg_dump.
        pg_bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not pg_bins:
            print("     PostgreSQL source not tried: no Debian postgresql server")
        else:
            cluster = Cluster(tmp, os.path.dirname(pg_bins[-1]))
            try:
                cluster.load(os.path.join(a.shared, "golden/upstream-db/golden-v3.1.3.postgres.sql"))
                pg_db = "sqlite://" + os.path.join(tmp, "from-postgres.db")
                r = subprocess.run([binary, "import", "--from", cluster.url("upstream"),
                                    "--database", pg_db], capture_output=True, text=True,
                                   timeout=120)
                if r.returncode != 0 and "not built" in r.stderr:
                    print("     PostgreSQL source not tried: " + r.stderr.strip())
                else:
                    check("import from PostgreSQL", r.returncode == 0, r.stdout + r.stderr)
                    b_rows = dump_rows(os.path.join(tmp, "from-postgres.db"))
                    check("PostgreSQL source gives the SQLite source's rows", a_rows == b_rows,
                          first_difference(a_rows, b_rows))
                    serve_and_replay(binary, pg_db, a, check, gitpw=False)
            finally:
                cluster.stop()

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
