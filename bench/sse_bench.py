#!/usr/bin/env python3
"""Event stream benchmark (issue #14): many SSE clients on one `patchbay
serve`, the server's memory, and how long events take to reach them while
a real archive is ingested by other processes.

  1. a fresh database (SQLite file, or --database postgresql://...) with the
     archive's project; `patchbay serve --threads 2`;
  2. --clients streams (default 1,000), all on /api/events/stream, held by
     bench/sse_reader (C++, one epoll thread: build/sse_reader, next to the
     binary), which times every delivery; or, with --reader python, by one
     selectors loop in this process plus --probes timed clients (the old
     way, kept to compare);
  3. --mails mails of the archive fed one `patchbay parsemail` process each,
     as an MTA delivers them (every mail its own commit), --ingesters at once;
  4. latency: arrival time minus the event's `date` (set when the row is
     inserted, before the commit and the writer's fsync, so the figure is
     an upper bound of commit-to-client latency). sse_reader gives it for
     every delivery, over all clients and over the 10 subscribed last, and
     the spread (arrival minus the event's first arrival at any client:
     the fan-out alone). --reader python times only --probes clients
     (default 10) held by a process of their own and subscribed last, and
     its 1,000-socket Python loop competes with the server for the CPU.

Prints the server's RSS (VmRSS, /proc) idle, with the clients connected
and at the end, the delivered count, latency p50/p99/max, and the server's
(and the reader's) CPU time per delivery.

usage: sse_bench.py --binary build/patchbay [--shared ../shared]
                    [--clients 1000] [--mails 300] [--database URL]
                    [--reader c|python] [--server-threads 2] [--gzip DECODED]

--gzip DECODED: every client asks for the compressed stream (Accept-Encoding:
gzip, as browsers' EventSource and Python's requests do); sse_reader inflates
and times DECODED of them (the 10 subscribed last and the rest spread over
the subscription order) and drains the others, counting their bytes."""

import argparse
import bisect
import datetime
import json
import multiprocessing
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ARCHIVE = "corpus/real-lists/linuxppc-dev-first5k.mbox.zst"
ID_RE = re.compile(rb"(?m)^id: (\d+)$")
DATE_RE = re.compile(rb'(?m)^id: (\d+)\nevent: [a-z-]+\ndata: \{"id":\d+,"category":"[a-z-]+",'
                     rb'"project":\{.*?\},"date":"([0-9T:.-]+)"')


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    """User + system CPU seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sched_ns(pid):
    """CPU time of each thread of a process so far, in ns (/proc/PID/task/TID/schedstat:
    the scheduler's own count, exact, where /proc/PID/stat counts 10 ms ticks)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                out[tid] = int(f.read().split()[0])
        except OSError:
            pass
    return out


def switches(pid):
    """Each thread's (voluntary, involuntary) context switches and minor page faults so far."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                v = dict(l.split(":", 1) for l in f if "ctxt_switches" in l)
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                minflt = int(f.read().rsplit(")", 1)[1].split()[7])
            out[tid] = (int(v["voluntary_ctxt_switches"]), int(v["nonvoluntary_ctxt_switches"]), minflt)
        except (OSError, KeyError, ValueError):
            pass
    return out


def iso_to_epoch(text):
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    d = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


class Clients:
    """n streams on one selectors loop (non-blocking sockets)."""

    def __init__(self, port, n, timed):
        self.sel = selectors.DefaultSelector()
        self.timed = timed
        self.connected = 0
        self.delivered = 0
        self.arrivals = []  # (event id, time), timed clients only
        self.dates = {}
        request = ("GET /api/events/stream/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                   "Accept: text/event-stream\r\n\r\n" % port).encode()
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, {"head": b"", "ok": False})
            self.socks.append(s)

    def pump(self, seconds):
        until = time.time() + seconds
        while time.time() < until:
            for key, _ in self.sel.select(timeout=0.05):
                now = time.time()
                try:
                    chunk = key.fileobj.recv(262144)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.sel.unregister(key.fileobj)
                    continue
                st = key.data
                if not st["ok"]:
                    st["head"] += chunk
                    if b"\r\n\r\n" not in st["head"]:
                        continue
                    st["ok"] = st["head"].startswith(b"HTTP/1.1 200")
                    self.connected += st["ok"]
                    chunk = st["head"].split(b"\r\n\r\n", 1)[1]
                if not self.timed:
                    self.delivered += chunk.count(b"\nid: ") + chunk.startswith(b"id: ")
                    continue
                for m in ID_RE.finditer(chunk):
                    self.arrivals.append((int(m.group(1)), now))
                    self.delivered += 1
                for m in DATE_RE.finditer(chunk):
                    self.dates.setdefault(int(m.group(1)), iso_to_epoch(m.group(2).decode()))


def probe_main(port, n, conn):
    """The timed clients, in a process of their own."""
    c = Clients(port, n, timed=True)
    while c.connected < n:
        c.pump(0.1)
    conn.send("ready")
    while not conn.poll():
        c.pump(0.2)
    conn.recv()
    c.pump(2)
    conn.send((c.arrivals, c.dates, c.delivered))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--probes", type=int, default=10)
    ap.add_argument("--mails", type=int, default=300)
    ap.add_argument("--ingesters", type=int, default=1)
    ap.add_argument("--ingest", choices=["parsemail", "parsearchive"], default="parsemail",
                    help="one parsemail process per mail (an MTA; each mail its own commit), or one "
                         "parsearchive of the mails (commits in batches)")
    ap.add_argument("--database", default="")
    ap.add_argument("--reader", choices=["c", "python"], default="c")
    ap.add_argument("--server-threads", type=int, default=2)
    ap.add_argument("--ingest-nice", type=int, default=0, metavar="N",
                    help="run the ingesters under `nice -n N`, as an admin runs a bulk import beside a live server")
    ap.add_argument("--gzip", type=int, default=-1, metavar="DECODED",
                    help="compressed streams (c reader only); inflate and time DECODED of them")
    ap.add_argument("--perf", default="", help="record the server with `perf record -g` into this file")
    ap.add_argument("--rounds", action="store_true",
                    help="also print each hub round's stages and its deliveries' commit->client p99/max "
                         "(which round makes a run's tail)")
    ap.add_argument("--dump", default="", help="sse_reader --dump FILE: each event's id, date, first arrival")
    ap.add_argument("--server-wrapper", default="",
                    help="a command the server runs under, e.g. 'strace -c -f -o FILE' or "
                         "'valgrind --tool=callgrind --callgrind-out-file=FILE' (counts, not times)")
    ap.add_argument("--perf-stat", action="store_true",
                    help="count the server's instructions (user, kernel) and context switches while "
                         "ingesting (`perf stat`): steadier than CPU time on a loaded machine")
    a = ap.parse_args()
    archive = os.path.join(a.shared, ARCHIVE)
    if not os.path.exists(archive):
        sys.exit("no %s (the bench needs ../shared)" % archive)
    binary = os.path.abspath(a.binary)

    with tempfile.TemporaryDirectory(prefix="sse-bench-") as tmp:
        db = a.database or os.path.join(tmp, "bench.db")
        run = lambda *args, **kw: subprocess.run([binary, *args, "--database", db], check=True,
                                                 capture_output=True, **kw)
        run("migrate")
        run("project", "create", "--linkname", "linuxppc-dev", "--name", "linuxppc-dev",
            "--listid", "linuxppc-dev.lists.ozlabs.org", "--listemail", "linuxppc-dev@lists.ozlabs.org")
        data = subprocess.run(["zstd", "-dcq", archive], check=True, capture_output=True).stdout
        mails = [m for m in re.split(rb"(?m)^(?=From )", data) if m.startswith(b"From ")][:a.mails]

        # Stage notes of the writers and the server (src/core/event_trace.h).
        trace = os.path.join(tmp, "stages.trace")
        os.environ["PATCHBAY_EVENT_TRACE"] = trace
        srv = subprocess.Popen(a.server_wrapper.split() + [binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                                "--threads", str(a.server_threads)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port = int(srv.stdout.readline().strip().rsplit(":", 1)[1].rstrip("/"))
        time.sleep(0.5)
        rss_idle = rss_kb(srv.pid)

        if a.reader == "c":
            return run_c_reader(a, binary, db, mails, srv, port, rss_idle, tmp, trace)
        load = Clients(port, a.clients - a.probes, timed=False)
        deadline = time.time() + 120
        while load.connected < a.clients - a.probes and time.time() < deadline:
            load.pump(0.2)
        parent, child = multiprocessing.Pipe()
        probes = multiprocessing.Process(target=probe_main, args=(port, a.probes, child))
        probes.start()
        while not parent.poll():
            load.pump(0.2)
        parent.recv()
        rss_connected = rss_kb(srv.pid)
        print("clients connected: %d + %d probes" % (load.connected, a.probes))

        t0 = time.time()
        cpu0 = cpu_s(srv.pid)
        peak = ingest(binary, db, mails, a.ingesters, srv.pid, rss_connected, lambda: load.pump(0.5))
        ingest_s = time.time() - t0
        parent.send("stop")
        load.pump(2)
        arrivals, dates, probe_delivered = parent.recv()
        probes.join()
        rss_end = rss_kb(srv.pid)
        cpu = cpu_s(srv.pid) - cpu0

        events = len(dates)
        lat = [(t - dates[i]) * 1000 for i, t in arrivals if i in dates]
        print("mails: %d in %.1f s by %d ingester(s); events: %d; deliveries: %d (expected %d)"
              % (len(mails), ingest_s, a.ingesters, events, load.delivered + probe_delivered,
                 events * (load.connected + a.probes)))
        print("server RSS: idle %.1f MB, %d clients %.1f MB, peak while ingesting %.1f MB, end %.1f MB"
              % (rss_idle / 1024, load.connected + a.probes, rss_connected / 1024, peak / 1024,
                 rss_end / 1024))
        print("latency event date -> probe client (ms): p50 %.1f  p99 %.1f  max %.1f  (%d samples)"
              % (pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan"), len(lat)))
        total = load.delivered + probe_delivered
        print("server CPU while ingesting: %.2f s (%.1f us per delivered event)" % (cpu, cpu * 1e6 / max(1, total)))
        for s in load.socks:
            s.close()
        srv.terminate()
        srv.wait(timeout=30)


def ingest(binary, db, mails, ingesters, server_pid, peak_rss, wait, how="parsemail", tmp=None, nice=0):
    """Delivers the mails as an MTA does (one parsemail process per mail) from
    `ingesters` threads, or as one `parsearchive` of an mbox of them, calling
    wait() until they are done; returns the server's peak RSS seen meanwhile."""
    prefix = ["nice", "-n", str(nice)] if nice else []

    def deliver(part):
        for m in part:
            subprocess.run(prefix + [binary, "parsemail", "--database", db], input=m, capture_output=True)

    def archive():
        path = os.path.join(tmp, "archive.mbox")
        with open(path, "wb") as f:
            f.write(b"".join(mails))
        subprocess.run(prefix + [binary, "parsearchive", "--database", db, path], capture_output=True)

    if how == "parsearchive":
        workers = [threading.Thread(target=archive)]
    else:
        workers = [threading.Thread(target=deliver, args=(mails[i::ingesters],)) for i in range(ingesters)]
    for w in workers:
        w.start()
    while any(w.is_alive() for w in workers):
        wait()
        peak_rss = max(peak_rss, rss_kb(server_pid))
    return peak_rss


def print_stages(dump, trace, per_round=False):
    """Where an event's time goes, from the reader's dump (every delivery's
    arrival, each event's date) and the stage notes of the writers and the
    server (PATCHBAY_EVENT_TRACE): per event, or per delivery where marked."""
    date, first, arrivals = {}, {}, []
    with open(dump) as f:
        for line in f:
            k, a1, a2, a3 = line.split()
            if k == "e":
                date[int(a1)] = int(a2)
                first[int(a1)] = int(a3)
            else:
                arrivals.append((int(a1), int(a2)))
    commits, rounds, drains, busy, began = [], [], [], [], []
    if os.path.exists(trace):
        with open(trace) as f:
            for line in f:
                w = line.split()
                if w[0] == "commit":
                    commits.append((int(w[2]), int(w[1])))  # (max event id, time)
                    # Writers since session 12b also note when the Commit call
                    # began: SQLite's returns after its autocheckpoint, which
                    # can be later than the hub's read of those events.
                    if len(w) > 3 and int(w[3]) > 0:
                        began.append((int(w[2]), int(w[3])))
                elif w[0] == "round":
                    rounds.append(tuple(int(x) for x in w[1:]))  # woke, read, queued, first, last, clients
                elif w[0] == "drain":
                    drains.append((int(w[1]), int(w[2])))
                elif w[0] == "busy":
                    busy.append((int(w[1]), int(w[2]), int(w[3]), int(w[4])))  # time, pid, try, sleep us
    # An event's commit: the earliest commit after which its id existed.
    commits.sort()
    suffix_min, best = [0] * len(commits), None
    for i in range(len(commits) - 1, -1, -1):
        best = commits[i][1] if best is None else min(best, commits[i][1])
        suffix_min[i] = best
    ids = [c[0] for c in commits]

    def commit_of(e):
        i = bisect.bisect_left(ids, e)
        return suffix_min[i] if i < len(ids) else None

    # The same for when the Commit call began: an anchor that is never late
    # (at most the commit's own WAL write early).
    began.sort()
    b_ids, b_min, best = [b[0] for b in began], [0] * len(began), None
    for i in range(len(began) - 1, -1, -1):
        best = began[i][1] if best is None else min(best, began[i][1])
        b_min[i] = best

    def began_of(e):
        i = bisect.bisect_left(b_ids, e)
        return b_min[i] if i < len(b_ids) else None

    rounds.sort(key=lambda r: r[1])
    drains.sort()
    round_of, written = {}, {}
    for k, r in enumerate(rounds):
        for e in range(r[3], r[4] + 1):
            round_of[e] = r
        # This round's writes: the workers' drains that began after its read
        # and before the next round's.
        until = rounds[k + 1][1] if k + 1 < len(rounds) else float("inf")
        ends = [d[1] for d in drains[bisect.bisect_left(drains, (r[1], 0)):] if d[0] < until]
        written[r[1]] = max(ends) if ends else None
    stages = {k: [] for k in ("insert->commit", "commit->hub wakes", "hub wakes->events read",
                              "events read->piece ready", "piece ready->queued to all",
                              "events read->queued to all", "events read->written by workers",
                              "commit->first client", "first client->last client")}
    last = {}
    for e, t in arrivals:
        last[e] = max(last.get(e, 0), t)
    for e, d in date.items():
        c, r = commit_of(e), round_of.get(e)
        if c is not None and d > 0:
            stages["insert->commit"].append(c - d)
        if r:
            if c is not None:
                stages["commit->hub wakes"].append(r[0] - c)
            stages["hub wakes->events read"].append(r[1] - r[0])
            stages["events read->queued to all"].append(r[2] - r[1])
            # Servers since session 12 note when the round's shared piece was
            # ready (rendered, compressed): the rest of the round is writes.
            if len(r) > 6 and r[6] > 0:
                stages["events read->piece ready"].append(r[6] - r[1])
                stages["piece ready->queued to all"].append(r[2] - r[6])
            if written.get(r[1]):
                stages["events read->written by workers"].append(written[r[1]] - r[1])
        if c is not None:
            stages["commit->first client"].append(first[e] - c)
        stages["first client->last client"].append(last.get(e, first[e]) - first[e])
    per_delivery = {"commit->client (every delivery)": [], "commit call began->client (every delivery)": [],
                    "insert->client (every delivery)": []}
    began_cache = {}
    commit_cache = {}
    for e, t in arrivals:
        if e not in commit_cache:
            commit_cache[e] = commit_of(e)
        c = commit_cache[e]
        if c is not None:
            per_delivery["commit->client (every delivery)"].append(t - c)
        if e not in began_cache:
            began_cache[e] = began_of(e)
        if began_cache[e] is not None:
            per_delivery["commit call began->client (every delivery)"].append(t - began_cache[e])
        if date.get(e, -1) > 0:
            per_delivery["insert->client (every delivery)"].append(t - date[e])
    if per_round:
        # Each round: its events, when its commit landed, the stage walls and
        # the hub's CPU, and its deliveries' commit->client: a run's p99 is
        # often one round's.
        by_round = {}
        for e, t in arrivals:
            r, c = round_of.get(e), commit_cache.get(e)
            if r and c is not None:
                by_round.setdefault(r[1], []).append(t - c)
        t0 = rounds[0][1] if rounds else 0
        print("rounds (ms from the first read at %d ns; commit->woke, woke->read, read->piece, piece->queued, "
              "hub CPU piece/round; commit->client p50/p99/max):" % t0)
        for r in rounds:
            cs = [commit_of(e) for e in (r[3], r[4])]
            d = [x / 1e6 for x in by_round.get(r[1], [])]
            ncommits = len({commit_of(e) for e in range(r[3], r[4] + 1)})
            print("  %8.1f ids %d-%d (%d ev, %d commit(s)) clients %d: %.2f %.2f %.2f %.2f cpu %.2f/%.2f; %.1f / %.1f / %.1f"
                  % ((r[1] - t0) / 1e6, r[3], r[4], r[4] - r[3] + 1, ncommits, r[5],
                     (r[0] - cs[0]) / 1e6 if cs[0] is not None else -1, (r[1] - r[0]) / 1e6,
                     (r[6] - r[1]) / 1e6 if len(r) > 6 and r[6] else -1,
                     (r[2] - r[6]) / 1e6 if len(r) > 6 and r[6] else -1,
                     r[7] / 1e6 if len(r) > 8 else -1, r[8] / 1e6 if len(r) > 8 else -1,
                     pct(d, 50) if d else -1, pct(d, 99) if d else -1, max(d) if d else -1))
    # SQLite's busy waits (servers since session 12b note them): a reader or
    # writer that found a lock taken, and how long it slept for it.
    if busy:
        pids = sorted({b[1] for b in busy})
        print("sqlite busy waits: " + ", ".join(
            "pid %d %d sleeps, %.1f ms, most tries in a row %d" % (
                p, sum(1 for b in busy if b[1] == p), sum(b[3] for b in busy if b[1] == p) / 1e3,
                max(b[2] for b in busy if b[1] == p) + 1) for p in pids))
    print("stages (ms; per event unless marked; %d commits, %d hub rounds, %d worker drains noted):"
          % (len(commits), len(rounds), len(drains)))
    # The hub's own CPU per round (servers since session 12): steadier than
    # the wall stages on a loaded machine.
    cpu = [r for r in rounds if len(r) > 8 and r[5] >= 100]
    if cpu:
        piece = [r[7] / 1e6 for r in cpu]
        total = [r[8] / 1e6 for r in cpu]
        print("  hub CPU per round of >= 100 clients (%d rounds): read->piece ready p50 %.2f max %.2f, "
              "whole round p50 %.2f max %.2f, sum %.1f ms"
              % (len(cpu), pct(piece, 50), max(piece), pct(total, 50), max(total), sum(total)))
    for name, v in list(stages.items()) + list(per_delivery.items()):
        if not v:
            print("  %-40s (no samples)" % name)
            continue
        ms = [x / 1e6 for x in v]
        print("  %-40s p50 %7.2f  p99 %7.2f  max %7.2f  (%d)" % (name, pct(ms, 50), pct(ms, 99), max(ms), len(ms)))


def stop_server(srv):
    """SIGTERM to the server; under --server-wrapper (strace) to the server
    the wrapper runs too, so the wrapper writes its summary and exits."""
    try:
        with open("/proc/%d/task/%d/children" % (srv.pid, srv.pid)) as f:
            children = [int(p) for p in f.read().split()]
    except OSError:
        children = []
    for pid in children:
        os.kill(pid, signal.SIGTERM)
    srv.terminate()
    srv.wait(timeout=60)


def run_c_reader(a, binary, db, mails, srv, port, rss_idle, tmp, trace):
    reader_bin = os.path.join(os.path.dirname(binary), "sse_reader")
    dump = a.dump or os.path.join(tmp, "deliveries.dump")
    reader = subprocess.Popen([reader_bin, "--port", str(port), "--clients", str(a.clients), "--dump", dump] +
                              (["--gzip", str(a.gzip)] if a.gzip >= 0 else []),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = reader.stdout.readline().split()
    if not ready or ready[0] != "ready":
        sys.exit("sse_reader did not start")
    time.sleep(0.5)
    rss_connected = rss_kb(srv.pid)
    print("clients connected: %s of %d (one sse_reader process)" % (ready[1], a.clients))
    perf = stat = None
    if a.perf:
        perf = subprocess.Popen(["perf", "record", "-g", "-o", a.perf, "-p", str(srv.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if a.perf_stat:
        stat = subprocess.Popen(["perf", "stat", "-x", ",", "-e",
                                 "instructions:u,instructions:k,context-switches", "-p", str(srv.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    t0 = time.time()
    cpu0 = cpu_s(srv.pid)
    sched0 = sched_ns(srv.pid)
    switches0 = switches(srv.pid)
    reader_cpu0 = cpu_s(reader.pid)
    peak = ingest(binary, db, mails, a.ingesters, srv.pid, rss_connected, lambda: time.sleep(0.5),
                  a.ingest, tmp, a.ingest_nice)
    ingest_s = time.time() - t0
    time.sleep(2)  # what is still on its way
    cpu = cpu_s(srv.pid) - cpu0
    sched1 = sched_ns(srv.pid)
    threads = sorted(((sched1[t] - sched0.get(t, 0), t) for t in sched1), reverse=True)
    switches1 = switches(srv.pid)
    hub = threads[0][1] if threads else None
    hub_switches = [b - a for a, b in zip(switches0.get(hub, (0, 0, 0)), switches1.get(hub, (0, 0, 0)))]
    threads = [t[0] for t in threads]
    reader_cpu = cpu_s(reader.pid) - reader_cpu0
    counts = {}
    for p in (perf, stat):
        if p:
            p.send_signal(2)
            err = p.communicate()[1]
            for line in (err or "").splitlines():
                f = line.split(",")
                if len(f) > 2 and f[0].strip().isdigit():
                    counts[f[2]] = int(f[0])
    out, _ = reader.communicate("stop\n", timeout=60)
    res = json.loads(out.strip().splitlines()[-1])
    rss_end = rss_kb(srv.pid)
    n = res["deliveries"]
    print("mails: %d in %.1f s by %s; events: %d; deliveries: %d (expected %d)"
          % (len(mails), ingest_s, "parsearchive" if a.ingest == "parsearchive" else
             "%d parsemail ingester(s)" % a.ingesters, res["events"], n, res["events"] * res["timed_streams"]))
    print("bytes read by all %d clients: %.1f MB (%s; %d streams timed)"
          % (res["connected"], res["bytes_read"] / 1e6, "gzip" if res["gzip"] else "plain",
             res["timed_streams"]))
    print("server RSS: idle %.1f MB, %d clients %.1f MB, peak while ingesting %.1f MB, end %.1f MB"
          % (rss_idle / 1024, res["connected"], rss_connected / 1024, peak / 1024, rss_end / 1024))
    timed = "all clients" if res["timed_streams"] == res["connected"] else "%d timed clients" % res["timed_streams"]
    for key, what in (("latency", "event date -> client, " + timed),
                      ("spread", "first client -> client (fan-out), " + timed),
                      ("last10_latency", "event date -> client, 10 subscribed last"),
                      ("last10_spread", "fan-out, 10 subscribed last")):
        p = res[key]
        print("%-48s p50 %6.1f  p99 %6.1f  max %6.1f ms  (%d samples)"
              % (what + ":", p["p50_ms"], p["p99_ms"], p["max_ms"], p["n"]))
    print("server CPU while ingesting: %.2f s (%.2f us per delivered event); reader CPU %.2f s (%.2f us)"
          % (cpu, cpu * 1e6 / max(1, n), reader_cpu, reader_cpu * 1e6 / max(1, n)))
    # The busiest thread while ingesting is the event hub (it reads, renders,
    # compresses and writes every round); the rest are the HTTP workers.
    print("server CPU while ingesting (schedstat): %.1f ms, busiest thread (the hub) %.1f ms, others %.1f ms"
          % (sum(threads) / 1e6, threads[0] / 1e6 if threads else 0, sum(threads[1:]) / 1e6))
    print("the hub's context switches while ingesting: %d voluntary, %d involuntary (preempted); "
          "its minor page faults %d" % tuple(hub_switches))
    if counts:
        print("server per delivery: %s" % ", ".join("%s %.0f" % (k, v / max(1, n)) for k, v in counts.items()))
    print_stages(dump, trace, a.rounds)
    print("load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    stop_server(srv)


if __name__ == "__main__":
    main()
