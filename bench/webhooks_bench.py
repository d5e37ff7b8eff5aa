#!/usr/bin/env python3
"""Webhooks: what they cost ingestion, and how fast the dispatcher sends.

1. `parsearchive` of N generated patches, and 100 `parsemail` runs (one
   transaction each), three times each: with no webhook;
   with three webhooks and a `serve` whose dispatcher thread is sending to
   them (one receiver answers, one accepts and never answers, one port is
   closed). Ingest should not notice.
2. `patchbay webhook run` sending every queued delivery to a local receiver
   (Python ThreadingHTTPServer): deliveries per second.

usage: webhooks_bench.py --binary build/patchbay [--patches 300]
SQLite in a temporary directory; numbers go to docs/performance.md."""

import argparse
import http.server
import os
import socket
import subprocess
import tempfile
import threading
import time


def mbox(n, listid):
    out = []
    for i in range(n):
        out.append("""From bench@example.com Mon Jan  1 00:00:00 2024
From: Bench <bench@example.com>
To: list@example.org
List-Id: <%s>
Subject: [PATCH] bench: change %d
Date: Mon, 01 Jan 2024 %02d:%02d:%02d +0000
Message-Id: <bench-%d@example.com>

Change %d.

---
diff --git a/f%d b/f%d
--- a/f%d
+++ b/f%d
@@ -1 +1 @@
-a
+b

""" % (listid, i, (i // 3600) % 24, (i // 60) % 60, i % 60, i, i, i, i, i, i))
    return "".join(out)


class Ok(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Ok.count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def run(binary, db, *args, input=None):
    r = subprocess.run([binary] + list(args) + ["--database", db], capture_output=True, input=input)
    if r.returncode not in (0, 1):
        raise SystemExit("%s: %s" % (args, r.stderr.decode()))
    return r.stdout.decode()


def ingest_time(binary, tmp, n, hooks, label, serve=True, one_by_one=False):
    db = "sqlite://" + os.path.join(tmp, label + ".db")
    run(binary, db, "project", "create", "--linkname", "b", "--name", "B", "--listid", "b.example.org",
        "--listemail", "b@example.org")
    path = os.path.join(tmp, "bench.mbox")
    with open(path, "w") as f:
        f.write(mbox(n, "b.example.org"))
    srv = None
    for url in hooks:
        run(binary, db, "webhook", "add", "--project", "b", "--url", url)
    if hooks and serve:
        srv = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                                "--threads", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
        srv.stdout.readline()
    t0 = time.time()
    if one_by_one:  # the MTA pipe: one process and one transaction per mail
        for m in mbox(n, "b.example.org").split("From bench@example.com Mon Jan  1 00:00:00 2024\n")[1:]:
            run(binary, db, "parsemail", input=m.encode())
    else:
        run(binary, db, "parsearchive", path)
    took = time.time() - t0
    if srv:
        srv.terminate()
        srv.wait()
    return took, db


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--patches", type=int, default=300)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    ok = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=ok.serve_forever, daemon=True).start()
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(64)  # accepted by the kernel, never answered
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    hooks = ["http://127.0.0.1:%d/" % ok.server_address[1],
             "http://127.0.0.1:%d/" % dead.getsockname()[1],
             "http://127.0.0.1:%d/" % closed_port]
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(3):
            plain, _ = ingest_time(binary, tmp, a.patches, [], "plain%d" % rep)
            hooked, db = ingest_time(binary, tmp, a.patches, hooks, "hooked%d" % rep)
            print("parsearchive %d patches: %.2f s without webhooks, %.2f s with 3 webhooks "
                  "and serve's dispatcher sending" % (a.patches, plain, hooked))
        for rep in range(3):
            plain, _ = ingest_time(binary, tmp, 100, [], "mplain%d" % rep, one_by_one=True)
            hooked, _ = ingest_time(binary, tmp, 100, hooks, "mhooked%d" % rep, one_by_one=True)
            print("parsemail x100: %.2f s without webhooks, %.2f s with 3 webhooks and serve's "
                  "dispatcher sending" % (plain, hooked))
        # Throughput: every event of an ingest, for the answering receiver,
        # queued and sent by one `webhook run`.
        _, db = ingest_time(binary, tmp, a.patches, hooks[:1], "throughput", serve=False)
        before = Ok.count
        t0 = time.time()
        out = run(binary, db, "webhook", "run")
        took = time.time() - t0
        sent = Ok.count - before
        print("webhook run: %s -> %d deliveries in %.2f s, %.0f per second" %
              (out.strip(), sent, took, sent / took if took else 0))
    ok.shutdown()
    dead.close()


if __name__ == "__main__":
    main()
