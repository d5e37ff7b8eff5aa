#!/usr/bin/env python3
"""CPU per mail of the MTA pipe: one `patchbay parsemail` process per mail.

    python3 bench/parsemail_bench.py [--binary build/patchbay] [--mails 1000]
                                     [--corpus real|generated|PATH.mbox[.zst]]

Each mail of the corpus (the first --mails of them) is piped into its own
`patchbay parsemail` process against one SQLite database on disk, exactly as
an MTA would deliver it, one after the other. The CPU time (user + sys) of
every child comes from wait4(2), so it counts the dynamic loader, start-up,
migration check, parse and store, but not the time spent waiting for fsync
(that is wall time, reported separately). `patchbay --help` is timed the same
way: it is the start-up floor every command pays.

The machine is shared and its load moves the numbers: the load average is
printed with them; compare runs by CPU time, not wall time.
"""
import argparse
import mailbox
import os
import shutil
import statistics
import subprocess
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


def summary(name, cpu, wall):
    cpu_ms = sorted(c * 1000 for c in cpu)
    print(f"{name}: n={len(cpu)}  CPU ms per process: mean {statistics.mean(cpu_ms):.2f}, "
          f"median {statistics.median(cpu_ms):.2f}, p90 {cpu_ms[int(len(cpu_ms) * 0.9)]:.2f}; "
          f"wall ms mean {statistics.mean(wall) * 1000:.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "patchbay"))
    ap.add_argument("--mails", type=int, default=1000)
    ap.add_argument("--corpus", default="", help="real, generated or an mbox path (default: real if present)")
    ap.add_argument("--help-runs", type=int, default=200)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "build") if os.path.isdir(
            os.path.join(ROOT, "build")) else None) as tmp:
        list_id, mails = load_mbox(a.corpus, tmp, a.mails)
        db = "sqlite://" + os.path.join(tmp, "bench.db")
        subprocess.run([binary, "project", "create", "--database", db, "--linkname", "bench", "--name", "bench",
                        "--listid", list_id, "--listemail", "bench@" + list_id], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"load average before: {os.getloadavg()}")
        cpu, wall = [], []
        for _ in range(a.help_runs):
            _, c, w = run([binary, "--help"])
            cpu.append(c)
            wall.append(w)
        summary("patchbay --help", cpu, wall)
        cpu, wall, failed = [], [], 0
        for raw in mails:
            code, c, w = run([binary, "parsemail", "--database", db, "--list-id", list_id], raw)
            failed += code != 0
            cpu.append(c)
            wall.append(w)
        summary(f"patchbay parsemail ({len(mails)} mails, {sum(map(len, mails)) / len(mails) / 1024:.1f} KB avg)",
                cpu, wall)
        print(f"parsemail exits != 0: {failed}")
        print(f"load average after: {os.getloadavg()}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
