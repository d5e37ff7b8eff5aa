#!/usr/bin/env python3
"""Latency of ordinary requests while N connections guess passwords on the
login page (issue #9 item 11). Starts its own server on 127.0.0.1, floods
for a fixed time, prints the status counts of the guesses and the p50/p99
of GET /api/projects/ meanwhile, and the same without the flood.

With --spread every guess comes from a new loopback address (127.x.y.z),
as from a botnet, so throttling rarely applies and nearly every guess costs
a PBKDF2 check: that shows what the side pool keeps off the serving threads.

usage: login_flood.py --binary build/patchbay [--clients 16] [--seconds 8] [--spread]"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


def timed_gets(port, seconds):
    lat = []
    end = time.time() + seconds
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < end:
        t = time.perf_counter()
        conn.request("GET", "/api/projects/")
        conn.getresponse().read()
        lat.append(time.perf_counter() - t)
        time.sleep(0.01)
    lat.sort()
    return statistics.median(lat) * 1000, lat[int(len(lat) * 0.99) - 1] * 1000, len(lat)


def guesser(port, stop, counts, lock, n, spread):
    import random
    rng = random.Random(n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/user/login/")
    resp = conn.getresponse()
    body = resp.read().decode()
    cookie = re.search(r"csrftoken=(\w+)", resp.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body).group(1)
    i = 0
    while not stop.is_set():
        i += 1
        if spread:
            conn.close()
            source = "127.%d.%d.%d" % (rng.randint(1, 254), rng.randint(0, 255), rng.randint(1, 254))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
        data = urllib.parse.urlencode({"username": "user%d" % (i % 50), "password": "guess%d" % i,
                                       "csrfmiddlewaretoken": token})
        conn.request("POST", "/user/login/", data, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": "csrftoken=" + cookie,
            "Origin": "http://127.0.0.1:%d" % port, "Host": "127.0.0.1:%d" % port})
        resp = conn.getresponse()
        resp.read()
        with lock:
            counts[resp.status] = counts.get(resp.status, 0) + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--spread", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = "sqlite://" + os.path.join(tmp, "f.db")
        subprocess.run([args.binary, "project", "create", "--database", db, "--linkname", "p",
                        "--listid", "p.example.org", "--listemail", "p@example.org"], check=True,
                       capture_output=True)
        srv = subprocess.Popen([args.binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                                "--threads", "2", "--no-response-cache"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(re.search(r":(\d+)/", srv.stdout.readline()).group(1))
            p50, p99, n = timed_gets(port, 3)
            print("idle:  GET /api/projects/ p50 %.1f ms, p99 %.1f ms (%d requests)" % (p50, p99, n))
            stop, lock, counts = threading.Event(), threading.Lock(), {}
            threads = [threading.Thread(target=guesser, args=(port, stop, counts, lock, i, args.spread))
                       for i in range(args.clients)]
            for t in threads:
                t.start()
            p50, p99, n = timed_gets(port, args.seconds)
            stop.set()
            for t in threads:
                t.join()
            print("flood: GET /api/projects/ p50 %.1f ms, p99 %.1f ms (%d requests); "
                  "%d clients' login POSTs by status: %s" % (p50, p99, n, args.clients, dict(sorted(counts.items()))))
        finally:
            srv.terminate()
            srv.wait()


if __name__ == "__main__":
    sys.exit(main())
