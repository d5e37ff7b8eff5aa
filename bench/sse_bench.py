#!/usr/bin/env python3
"""Event stream benchmark (issue #14): many SSE clients on one `patchbay
serve`, the server's memory, and how long events take to reach them while
a real archive is ingested by other processes.

  1. a fresh database (SQLite file, or --database postgresql://...) with the
     archive's project; `patchbay serve --threads 2`;
  2. --clients streams (default 1,000) opened through one selectors loop
     (non-blocking sockets, no thread per client), all on /api/events/stream;
  3. --mails mails of the archive fed one `patchbay parsemail` process each,
     as an MTA delivers them (every mail its own commit), --ingesters at once;
  4. for every event and every client: arrival time minus the event's
     `date` (set when the row is inserted, so before the commit: the figure
     is an upper bound of commit-to-client latency, and it includes this
     client's own time to get round 1,000 sockets on a loaded machine).

Prints the server's RSS (VmRSS, /proc) idle, with the clients connected
and at the end, the delivered count, and latency p50/p99/max.

usage: sse_bench.py --binary build/patchbay [--shared ../shared]
                    [--clients 1000] [--mails 300] [--database URL]"""

import argparse
import datetime
import os
import re
import selectors
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


def iso_to_epoch(text):
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    d = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--mails", type=int, default=300)
    ap.add_argument("--ingesters", type=int, default=1)
    ap.add_argument("--database", default="")
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

        srv = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                                "--threads", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port = int(srv.stdout.readline().strip().rsplit(":", 1)[1].rstrip("/"))
        time.sleep(0.5)
        rss_idle = rss_kb(srv.pid)

        sel = selectors.DefaultSelector()
        request = ("GET /api/events/stream/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                   "Accept: text/event-stream\r\n\r\n" % port).encode()
        socks = []
        for i in range(a.clients):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, {"buf": b"", "ok": False, "ids": set()})
            socks.append(s)

        arrivals = []  # (event id, arrival time)
        dates = {}
        delivered = 0
        stop = threading.Event()
        connected = [0]

        def pump(until):
            nonlocal delivered
            while time.time() < until and not stop.is_set():
                for key, _ in sel.select(timeout=0.05):
                    now = time.time()
                    try:
                        chunk = key.fileobj.recv(262144)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    st = key.data
                    if not st["ok"]:
                        st["buf"] += chunk
                        if b"\r\n\r\n" not in st["buf"]:
                            continue
                        st["ok"] = st["buf"].startswith(b"HTTP/1.1 200")
                        connected[0] += st["ok"]
                        chunk = st["buf"].split(b"\r\n\r\n", 1)[1]
                        st["buf"] = b""
                    for m in ID_RE.finditer(chunk):
                        arrivals.append((int(m.group(1)), now))
                        delivered += 1
                    for m in DATE_RE.finditer(chunk):
                        dates.setdefault(int(m.group(1)), iso_to_epoch(m.group(2).decode()))

        deadline = time.time() + 60
        while connected[0] < a.clients and time.time() < deadline:
            pump(time.time() + 0.2)
        rss_connected = rss_kb(srv.pid)
        print("clients connected: %d of %d" % (connected[0], a.clients))

        # Ingest on other threads, each mail its own parsemail process.
        def ingest(part):
            for m in part:
                subprocess.run([binary, "parsemail", "--database", db], input=m, capture_output=True)

        parts = [mails[i::a.ingesters] for i in range(a.ingesters)]
        workers = [threading.Thread(target=ingest, args=(p,)) for p in parts]
        t0 = time.time()
        for w in workers:
            w.start()
        peak = rss_connected
        while any(w.is_alive() for w in workers):
            pump(time.time() + 0.5)
            peak = max(peak, rss_kb(srv.pid))
        ingest_s = time.time() - t0
        pump(time.time() + 2)  # the last events
        rss_end = rss_kb(srv.pid)

        events = len(dates)
        lat = [(t - dates[i]) * 1000 for i, t in arrivals if i in dates]
        print("mails: %d in %.1f s by %d ingester(s); events: %d; deliveries: %d (expected %d)"
              % (len(mails), ingest_s, a.ingesters, events, delivered, events * connected[0]))
        print("server RSS: idle %.1f MB, %d clients %.1f MB, peak while ingesting %.1f MB, end %.1f MB"
              % (rss_idle / 1024, connected[0], rss_connected / 1024, peak / 1024, rss_end / 1024))
        print("latency event date -> client (ms): p50 %.1f  p99 %.1f  max %.1f"
              % (pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan")))
        for s in socks:
            s.close()
        srv.terminate()
        srv.wait(timeout=30)


if __name__ == "__main__":
    main()
