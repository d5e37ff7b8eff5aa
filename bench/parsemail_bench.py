#!/usr/bin/env python3
"""CPU per mail of the MTA pipe: one `patchbay parsemail` process per mail.

    python3 bench/parsemail_bench.py [--binary build/patchbay] [--mails 1000]
                                     [--corpus real|generated|PATH.mbox[.zst]] [--ingest-socket]

Each mail of the corpus (the first --mails of them) is piped into its own
`patchbay parsemail` process against one SQLite database on disk, exactly as
an MTA would deliver it, one after the other. The CPU time (user + sys) of
every child comes from wait4(2), so it counts the dynamic loader, start-up,
migration check, parse and store, but not the time spent waiting for fsync
(that is wall time, reported separately). `patchbay --help` is timed the same
way: it is the start-up floor every command pays. So is an empty, statically
linked C program, the floor of any process in this accounting (wait4 counts
the exec itself, which `perf stat` in bench/help_bench.sh does not): a client's
CPU above it is what the client's own code costs.

With --ingest-socket the same mails go, after the direct run, to a second
database through `patchbay serve --ingest-socket` (parsemail's hand-off,
issue #13): per mail it reports the client's CPU (wait4), the server's CPU
over the run (utime + stime of every thread, /proc/PID/stat) divided by the
mails, and their sum, the figure that compares with the direct one. The two
databases' rows are then dumped (all but the columns holding the time of
storing) and compared byte for byte.

With --postgres ADMIN_URL (e.g. postgresql:///postgres?host=/run/postgresql)
the databases are made on that cluster, and the modes run one after the
other, each with the cluster's CPU over its phase (the postmaster, its
children, and the per-connection backends it reaped), so the sum per mail
includes the database server's side too.

The machine is shared and its load moves the numbers: the load average is
printed with them; compare runs by CPU time, not wall time.
"""
import argparse
import mailbox
import os
import re
import shutil
import statistics
import subprocess
import sqlite3
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "corpus", "real-lists", "linuxppc-dev-first5k.mbox.zst")


def load_mbox(spec, tmp, count):
    """Returns (list id, [raw mail bytes])."""
    if spec == "real" or (spec == "" and os.path.exists(REAL) and shutil.which("zstd")):
        spec, list_id = REAL, "linuxppc-dev.lists.ozlabs.org"
    elif spec in ("generated", ""):
        path = os.path.join(tmp, "gen.mbox")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_mbox.py"), "-n", str(count + 20),
                        "--seed", "1", "-o", path], check=True)
        spec, list_id = path, "bench.lists.example.org"
    else:
        list_id = os.environ.get("PB_BENCH_LIST_ID", "bench.lists.example.org")
    path = spec
    if spec.endswith(".zst"):
        path = os.path.join(tmp, "corpus.mbox")
        with open(path, "wb") as out:
            subprocess.run(["zstd", "-dc", spec], stdout=out, check=True)
    mails = []
    for msg in mailbox.mbox(path):
        mails.append(msg.as_bytes(unixfrom=False))
        if len(mails) == count:
            break
    return list_id, mails


def run(argv, data=None):
    """Runs argv with data on stdin; returns (exit code, cpu s, wall s)."""
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if data is not None:
        p.stdin.write(data)
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_utime + usage.ru_stime, time.monotonic() - start


def empty_static_program(tmp):
    """Path of `int main(void) { return 0; }` linked statically, or None without a C compiler."""
    src, exe = os.path.join(tmp, "empty.c"), os.path.join(tmp, "empty-static")
    with open(src, "w") as f:
        f.write("int main(void) { return 0; }\n")
    try:
        subprocess.run(["cc", "-O2", "-static", "-o", exe, src], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return None
    return exe


def summary(name, cpu, wall):
    cpu_ms = sorted(c * 1000 for c in cpu)
    print(f"{name}: n={len(cpu)}  CPU ms per process: mean {statistics.mean(cpu_ms):.2f}, "
          f"median {statistics.median(cpu_ms):.2f}, p90 {cpu_ms[int(len(cpu_ms) * 0.9)]:.2f}; "
          f"wall ms mean {statistics.mean(wall) * 1000:.2f}")


# Rows compared between the modes: all the ingest writes, but the columns
# that hold when a row was written (the same as tests/integration/ingest_socket.py).
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


def psycopg2():
    try:
        import psycopg2 as pg
    except ImportError:  # a Python other than Debian's: use Debian's module
        sys.path.append("/usr/lib/python3/dist-packages")
        import psycopg2 as pg
    return pg


def dump(url, out):
    if url.startswith("sqlite://"):
        c = sqlite3.connect(url[len("sqlite://"):])
    else:
        c = psycopg2().connect(url)
    with open(out, "w") as f:
        for q in DUMPS:
            cur = c.cursor()
            cur.execute(q)
            for row in cur.fetchall():
                f.write(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) + "\n")
    c.close()


class Databases:
    """Where the modes' databases are: SQLite files in directories of their
    own (serve's event hub watches its database's directory, and must not
    wake for the others' commits), or databases of a PostgreSQL cluster
    (--postgres ADMIN_URL), dropped at the end."""

    def __init__(self, tmp, admin_url):
        self.tmp = tmp
        self.admin = admin_url
        self.created = []

    def new(self, name):
        if not self.admin:
            os.mkdir(os.path.join(self.tmp, name))
            return "sqlite://" + os.path.join(self.tmp, name, "bench.db")
        db = f"pb_bench_{name}_{os.getpid()}"
        c = psycopg2().connect(self.admin)
        c.autocommit = True
        c.cursor().execute(f'CREATE DATABASE "{db}"')
        c.close()
        self.created.append(db)
        m = re.match(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$", self.admin)
        return m.group(1) + "/" + db + (m.group(3) or "")

    def cluster_cpu(self):
        """CPU so far of the PostgreSQL cluster: the postmaster, its live
        children and those it has reaped (per-connection backends), in s."""
        c = psycopg2().connect(self.admin)
        cur = c.cursor()
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
        c.close()
        with open(f"/proc/{backend}/stat") as f:
            postmaster = int(f.read().rsplit(")", 1)[1].split()[1])
        ticks = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(pid) == postmaster:
                ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            elif int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def drop(self):
        if not self.created:
            return
        c = psycopg2().connect(self.admin)
        c.autocommit = True
        for db in self.created:
            c.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        c.close()


def process_cpu(pid):
    """CPU time so far of every thread of pid, in seconds, from the
    scheduler's nanosecond counters (/proc/PID/task/*/schedstat; the
    utime/stime of /proc/PID/stat are in 10 ms ticks)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that just ended
            pass
    return total / 1e9


def make_project(binary, db, list_id):
    subprocess.run([binary, "project", "create", "--database", db, "--linkname", "bench", "--name", "bench",
                    "--listid", list_id, "--listemail", "bench@" + list_id], check=True,
                   stdout=subprocess.DEVNULL)


class SocketServer:
    """`patchbay serve --ingest-socket` on a database of its own."""

    def __init__(self, binary, tmp, dbs, list_id, name, client):
        self.name = name
        self.client = client  # the argv that hands a mail over, without the options
        self.db = dbs.new(name)
        self.sock = os.path.join(tmp, name + ".sock")
        make_project(binary, self.db, list_id)
        self.p = subprocess.Popen([binary, "serve", "--database", self.db, "--listen", "127.0.0.1:0",
                                   "--ingest-socket", self.sock], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        if b"serving on" not in self.p.stdout.readline():
            raise SystemExit("serve did not start")
        self.cpu_list, self.wall, self.failed = [], [], 0

    def measure_idle(self):
        """What it spends doing nothing (timers, the hub's look once a
        second), so the figure per mail can be read without it too."""
        before = process_cpu(self.p.pid)
        time.sleep(2)
        self.idle_per_s = (process_cpu(self.p.pid) - before) / 2

    def begin(self):
        self.start_cpu = process_cpu(self.p.pid)
        self.start = time.monotonic()

    def hand(self, raw, list_id):
        code, c, w = run(self.client + ["--database", self.db, "--list-id", list_id,
                                        "--ingest-socket", self.sock], raw)
        self.failed += code != 0
        self.cpu_list.append(c)
        self.wall.append(w)

    def cpu_now(self):
        """Ends the measured run."""
        if not hasattr(self, "cpu"):
            self.cpu = process_cpu(self.p.pid) - self.start_cpu
            self.elapsed = time.monotonic() - self.start

    def stop(self):
        if hasattr(self, "start"):
            self.cpu_now()
        self.p.terminate()
        self.p.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "patchbay"))
    ap.add_argument("--mails", type=int, default=1000)
    ap.add_argument("--corpus", default="", help="real, generated or an mbox path (default: real if present)")
    ap.add_argument("--help-runs", type=int, default=200)
    ap.add_argument("--ingest-socket", action="store_true",
                    help="also hand each mail to a running serve, on a second database, with "
                         "`patchbay parsemail --ingest-socket`, and to a third with `patchbay-parsemail`")
    ap.add_argument("--postgres", default="", metavar="ADMIN_URL",
                    help="databases on this PostgreSQL cluster instead of SQLite files; the modes then "
                         "run one after the other, so that the cluster's CPU is told apart per mode")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "build") if os.path.isdir(
            os.path.join(ROOT, "build")) else None) as tmp:
        list_id, mails = load_mbox(a.corpus, tmp, a.mails)
        dbs = Databases(tmp, a.postgres)
        try:
            return run_modes(a, binary, tmp, dbs, list_id, mails)
        finally:
            dbs.drop()


def run_modes(a, binary, tmp, dbs, list_id, mails):
    db = dbs.new("direct")
    make_project(binary, db, list_id)
    print(f"load average before: {os.getloadavg()}")
    cpu, wall = [], []
    for _ in range(a.help_runs):
        _, c, w = run([binary, "--help"])
        cpu.append(c)
        wall.append(w)
    summary("patchbay --help", cpu, wall)
    floor = empty_static_program(tmp)
    if floor:
        # What any process costs in this accounting (wait4 counts the exec
        # and the address space's set-up and tear-down, which perf stat's
        # task-clock leaves out): the floor under every client row below.
        cpu, wall = [], []
        for _ in range(a.help_runs):
            _, c, w = run([floor], b"")
            cpu.append(c)
            wall.append(w)
        summary("process floor (an empty static C program, mail on stdin)", cpu, wall)
    servers = []
    if a.ingest_socket:
        pipe = os.path.join(os.path.dirname(binary), "patchbay-parsemail")
        servers.append(SocketServer(binary, tmp, dbs, list_id, "socket", [binary, "parsemail"]))
        if os.path.exists(pipe):
            servers.append(SocketServer(binary, tmp, dbs, list_id, "pipe", [pipe]))
        time.sleep(1)  # their threads' warm-up is start-up, not ingest
        for server in servers:
            server.measure_idle()
    cpu, wall, failed = [], [], 0
    cluster = {}  # mode -> the PostgreSQL cluster's CPU over its phase

    def direct(raw):
        nonlocal failed
        code, c, w = run([binary, "parsemail", "--database", db, "--list-id", list_id], raw)
        failed += code != 0
        cpu.append(c)
        wall.append(w)
    try:
        if not a.postgres:
            # On SQLite each mail goes to every mode, one after the
            # other, so all run under the same load.
            for server in servers:
                server.begin()
            for raw in mails:
                direct(raw)
                for server in servers:
                    server.hand(raw, list_id)
        else:
            before = dbs.cluster_cpu()
            for raw in mails:
                direct(raw)
            cluster["direct"] = dbs.cluster_cpu() - before
            for server in servers:
                before = dbs.cluster_cpu()
                server.begin()
                for raw in mails:
                    server.hand(raw, list_id)
                server.cpu_now()
                cluster[server.name] = dbs.cluster_cpu() - before
    finally:
        for server in servers:
            server.stop()
    n = len(mails)
    summary(f"patchbay parsemail ({len(mails)} mails, {sum(map(len, mails)) / len(mails) / 1024:.1f} KB avg)",
            cpu, wall)
    print(f"parsemail exits != 0: {failed}")
    if "direct" in cluster:
        print(f"  PostgreSQL cluster CPU over the phase: {cluster['direct'] / n * 1000:.2f} ms per mail; "
              f"SUM with parsemail: {statistics.mean(cpu) * 1000 + cluster['direct'] / n * 1000:.2f} ms")
    direct_rows = os.path.join(tmp, "direct.rows")
    if servers:
        dump(db, direct_rows)
    for server in servers:
        print()
        summary(f"client `{' '.join(os.path.basename(x) for x in server.client)} --ingest-socket` ({n} mails)",
                server.cpu_list, server.wall)
        server_ms = server.cpu / n * 1000
        idle_ms = server.idle_per_s * server.elapsed / n * 1000
        client_ms = statistics.mean(server.cpu_list) * 1000
        print(f"  serve CPU over the run: {server.cpu:.3f} s = {server_ms:.2f} ms per mail "
              f"(of which idling, at its rate of {server.idle_per_s * 1000:.1f} ms/s before the run: "
              f"{idle_ms:.2f} ms per mail)")
        print(f"  SUM client + serve CPU per mail: {client_ms + server_ms:.2f} ms "
              f"(direct parsemail, same run: {statistics.mean(cpu) * 1000:.2f} ms)")
        if server.name in cluster:
            pg_ms = cluster[server.name] / n * 1000
            print(f"  PostgreSQL cluster CPU over the phase: {pg_ms:.2f} ms per mail; "
                  f"SUM client + serve + cluster: {client_ms + server_ms + pg_ms:.2f} ms")
        print(f"  exits != 0: {server.failed}")
        rows = os.path.join(tmp, server.name + ".rows")
        dump(server.db, rows)
        same = subprocess.run(["cmp", direct_rows, rows]).returncode == 0
        print(f"  rows against direct parsemail: {'identical' if same else 'DIFFERENT'} "
              f"({os.path.getsize(direct_rows)} bytes dumped, cmp)")
        failed += server.failed + (not same)
    print(f"load average after: {os.getloadavg()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
