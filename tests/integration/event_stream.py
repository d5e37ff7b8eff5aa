#!/usr/bin/env python3
"""GET /api/events/stream (issue #14, push): Server-Sent Events from a real
`patchbay serve`, fed by writes of other processes.

A client subscribes with filters; mails arrive through separate `patchbay
parsemail` processes and a state change through the REST API. Every event
must arrive with its id, category and the exact JSON object /api/events/
lists for it (same API version and host); filters hold; a client that
reconnects with Last-Event-ID (or ?since_id=) gets exactly the events it
missed; keep-alive comments come; the stream cap answers 503 without
starving ordinary requests; SIGTERM ends open streams cleanly.

No timing assertions: waits are generous deadlines, never measurements
(latency is measured in bench/sse_bench.py).

usage: event_stream.py --binary build/patchbay"""

import argparse
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
import testdb  # noqa: E402

TOKEN = "5e1f0a3c9b7d4e2f8a6c1b3d5e7f9a0b2c4d6e8f"
WAIT = 30  # seconds: a deadline for things that should take milliseconds
LIST_ID = "stream.example.org"


class SseClient:
    """One stream read on a thread; events and comment lines land in queues."""

    def __init__(self, port, path, headers=None, host=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        host = host or "127.0.0.1:%d" % port
        req = "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n" % (path, host)
        for k, v in (headers or {}).items():
            req += "%s: %s\r\n" % (k, v)
        self.sock.sendall((req + "\r\n").encode())
        self.events = queue.Queue()
        self.comments = queue.Queue()
        self.closed = threading.Event()
        self.status = None
        self.headers = {}
        self.body = b""
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        if self.status != 200:
            self.body = rest
            n = int(self.headers.get("content-length", "0"))
            while len(self.body) < n:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                self.body += chunk
            self.sock.close()
            self.closed.set()
            return
        # Content-Encoding: gzip is decoded as bytes arrive, as a browser's
        # EventSource does: each piece must inflate on its own arrival.
        self.inflate = None
        if self.headers.get("content-encoding") == "gzip":
            self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            rest = self.inflate.decompress(rest)
        self.thread = threading.Thread(target=self._read, args=(rest,), daemon=True)
        self.thread.start()

    def _read(self, pending):
        frame = {}
        try:
            self.sock.settimeout(None)
            while True:
                while b"\n" in pending:
                    line, _, pending = pending.partition(b"\n")
                    text = line.decode()
                    if text == "":
                        if "data" in frame:
                            self.events.put(frame)
                        frame = {}
                    elif text.startswith(":"):
                        self.comments.put(text)
                    else:
                        k, _, v = text.partition(":")
                        frame[k] = v[1:] if v.startswith(" ") else v
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                pending += self.inflate.decompress(chunk) if self.inflate else chunk
        except OSError:
            pass
        self.closed.set()

    def take(self, n, timeout=WAIT):
        """The next n events (fewer if the deadline passes)."""
        out = []
        deadline = time.time() + timeout
        while len(out) < n:
            try:
                out.append(self.events.get(timeout=max(0.01, deadline - time.time())))
            except queue.Empty:
                break
        return out

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def mail(msgid, subject, body, in_reply_to=None, date="Mon, 1 Jun 2026 10:00:00 +0000",
         sender="Ada Lovelace <ada@example.org>"):
    head = [
        "From: " + sender,
        "To: list@" + LIST_ID,
        "Subject: " + subject,
        "Date: " + date,
        "Message-Id: <%s>" % msgid,
        "List-Id: Stream test <%s>" % LIST_ID,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        head += ["In-Reply-To: <%s>" % in_reply_to, "References: <%s>" % in_reply_to]
    return ("\n".join(head) + "\n\n" + body).encode()


def patch_body(n):
    return ("Change number %d.\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n---\n"
            " f%d.txt | 1 +\n 1 file changed, 1 insertion(+)\n\n"
            "diff --git a/f%d.txt b/f%d.txt\nnew file mode 100644\n--- /dev/null\n+++ b/f%d.txt\n"
            "@@ -0,0 +1 @@\n+line %d\n-- \n2.40.0\n") % (n, n, n, n, n, n)


def series(tag, count):
    """A cover letter and `count` patches threaded to it."""
    cover = "%s-0@example.org" % tag
    out = [mail(cover, "[PATCH 0/%d] Series %s" % (count, tag), "The cover letter.\n")]
    for i in range(1, count + 1):
        out.append(mail("%s-%d@example.org" % (tag, i), "[PATCH %d/%d] %s part %d" % (i, count, tag, i),
                        patch_body(hash((tag, i)) % 100000), in_reply_to=cover))
    return out


class Server:
    def __init__(self, binary, db, *extra):
        self.proc = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                                      "--threads", "2", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "serving on" not in line:
            raise RuntimeError("serve did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.strip().rsplit(":", 1)[1].rstrip("/"))

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        h = {"Host": "127.0.0.1:%d" % self.port, **(headers or {})}
        if body is not None:
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def get_json(self, path):
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError("GET %s: %d %s" % (path, status, data[:200]))
        return json.loads(data)

    def events(self, query):
        """Every /api/events/ item for `query`, oldest first, by id."""
        out, page = [], 1
        while True:
            batch = self.get_json("%s&per_page=100&page=%d" % (query, page))
            out += batch
            if len(batch) < 100:
                return {e["id"]: e for e in out}
            page += 1

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return False
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    r = Results()
    with tempfile.TemporaryDirectory(prefix="patchbay-sse-") as tmp:
        db = testdb.new_url(tmp, "sse.db")

        def run(*args, stdin=None):
            p = subprocess.run([binary, *args, "--database", db], input=stdin, capture_output=True,
                               timeout=120)
            if p.returncode != 0:
                sys.exit("%s: %s" % (" ".join(args), p.stderr.decode(errors="replace")))
            return p.stdout.decode()

        def parsemail(mails):
            for m in mails:
                run("parsemail", stdin=m)

        run("migrate")
        run("project", "create", "--linkname", "streamed", "--name", "Streamed", "--listid", LIST_ID,
            "--listemail", "list@" + LIST_ID)
        run("project", "create", "--linkname", "quiet", "--name", "Quiet", "--listid", "quiet.example.org",
            "--listemail", "list@quiet.example.org")
        run("user", "create", "--username", "maint", "--email", "maint@example.org", "--password", "pw",
            "--maintainer", "streamed", "--token", TOKEN)
        parsemail(series("old", 1))  # history from before anyone subscribed

        srv = Server(binary, db, "--stream-keepalive-ms", "200")
        streams = []
        try:
            every = SseClient(srv.port, "/api/events/stream/?project=streamed")
            # The same stream compressed: a filtered client (its own pieces) and an
            # unfiltered one (the round's shared piece, compressed once).
            zipped = SseClient(srv.port, "/api/events/stream/?project=streamed",
                               headers={"Accept-Encoding": "br, gzip;q=0.8"})
            zipped_all = SseClient(srv.port, "/api/events/stream/", headers={"Accept-Encoding": "gzip"})
            unzipped = SseClient(srv.port, "/api/events/stream/?project=quiet",
                                 headers={"Accept-Encoding": "gzip;q=0, identity"})
            streams += [zipped, zipped_all, unzipped]
            r.check("Accept-Encoding: gzip -> Content-Encoding: gzip",
                    zipped.headers.get("content-encoding") == "gzip" and
                    zipped_all.headers.get("content-encoding") == "gzip" and
                    "content-encoding" not in every.headers and "content-encoding" not in unzipped.headers and
                    every.headers.get("vary") == "Accept-Encoding",
                    (zipped.headers, every.headers, unzipped.headers))
            created = SseClient(srv.port, "/api/1.2/events/stream/?category=patch-created&project=streamed",
                                headers={"Authorization": "Token " + TOKEN})
            quiet = SseClient(srv.port, "/api/events/stream/?project=quiet")
            streams += [every, created, quiet]
            r.check("stream answers 200 text/event-stream", every.status == 200 and
                    every.headers.get("content-type", "").startswith("text/event-stream"), every.headers)
            r.check("token accepted", created.status == 200, created.body)
            r.check("versioned URL", SseClient(srv.port, "/api/1.0/events/stream/").status == 200)

            # Enough unfiltered gzip clients that the hub compresses their shared
            # piece at a better zlib level (kDenseClients in api/event_stream.cc).
            crowd = [SseClient(srv.port, "/api/events/stream/", headers={"Accept-Encoding": "gzip"})
                     for _ in range(32)]
            streams += crowd

            # A series by separate parsemail processes.
            before = max(srv.events("/api/events/?project=streamed&order=date"))
            parsemail(series("one", 2))
            want = {i: e for i, e in srv.events("/api/events/?project=streamed&order=date").items() if i > before}
            got = every.take(len(want))
            r.check("parsemail events arrive", len(got) == len(want) and len(want) >= 5,
                    "%d of %d" % (len(got), len(want)))
            r.check("ids in order, no history", [int(f["id"]) for f in got] == sorted(want),
                    ([f.get("id") for f in got], sorted(want)))
            r.check("data = /api/events/ item", all(json.loads(f["data"]) == want.get(int(f["id"])) for f in got),
                    got[:1])
            r.check("event: is the category",
                    all(f["event"] == want[int(f["id"])]["category"] for f in got if int(f["id"]) in want))
            for name, client in (("filtered", zipped), ("unfiltered", zipped_all)):
                zgot = client.take(len(want))
                r.check("gzip (%s): the same events, decoded as they arrive" % name,
                        [(f["id"], f["event"], f["data"]) for f in zgot] ==
                        [(f["id"], f["event"], f["data"]) for f in got],
                        (len(zgot), len(got)))
            crowd_got = [c.take(len(want)) for c in crowd]
            r.check("gzip, 33 unfiltered clients: each gets the same events",
                    all([(f["id"], f["event"], f["data"]) for f in g] ==
                        [(f["id"], f["event"], f["data"]) for f in got] for g in crowd_got),
                    [len(g) for g in crowd_got])
            for c in crowd:
                c.close()

            # A REST write in the server's own process.
            patch_id = max(e["payload"]["patch"]["id"] for e in want.values() if e["category"] == "patch-created")
            status, body = srv.request("PATCH", "/api/patches/%d/" % patch_id, {"state": "accepted"},
                                       {"Authorization": "Token " + TOKEN})
            r.check("state change accepted", status == 200, body[:200])
            got = every.take(1)
            listed = srv.events("/api/events/?project=streamed&category=patch-state-changed&order=date")
            r.check("API write arrives", len(got) == 1 and got[0]["event"] == "patch-state-changed" and
                    json.loads(got[0]["data"]) == listed.get(int(got[0]["id"])), got)

            # The category filter and API 1.2's rendering.
            want12 = srv.events("/api/1.2/events/?project=streamed&category=patch-created&order=date")
            want12 = {i: e for i, e in want12.items() if i > before}
            got = created.take(len(want12))
            r.check("category filter, 1.2 JSON",
                    len(got) == 2 and all(json.loads(f["data"]) == want12.get(int(f["id"])) for f in got), got)

            # Keep-alives (every 200 ms here).
            try:
                quiet.comments.get(timeout=WAIT)  # the greeting
                r.check("keep-alive comment", quiet.comments.get(timeout=WAIT) == ": keep-alive")
            except queue.Empty:
                r.check("keep-alive comment", False, "none")
            try:
                zipped.comments.get(timeout=WAIT)  # the greeting
                r.check("gzip: keep-alive comment", zipped.comments.get(timeout=WAIT) == ": keep-alive")
            except queue.Empty:
                r.check("gzip: keep-alive comment", False, "none")
            r.check("project filter: nothing for another project", quiet.events.empty())
            r.check("category filter: nothing else", created.events.empty())

            # Resume: the client leaves, misses a series, comes back.
            last = max(want)
            every.close()
            parsemail(series("two", 2))
            missed = {i: e for i, e in srv.events("/api/events/?project=streamed&order=date").items() if i > last}
            back = SseClient(srv.port, "/api/events/stream/?project=streamed",
                             headers={"Last-Event-ID": str(last)})
            streams.append(back)
            got = back.take(len(missed))
            r.check("Last-Event-ID: the missed events, in order",
                    [int(f["id"]) for f in got] == sorted(missed) and len(missed) >= 5,
                    ([f.get("id") for f in got], sorted(missed)))
            r.check("Last-Event-ID: same JSON", all(json.loads(f["data"]) == missed.get(int(f["id"])) for f in got))
            # Exactly those: the next event it gets is the next one made.
            status, _ = srv.request("PATCH", "/api/patches/%d/" % patch_id, {"state": "rejected"},
                                    {"Authorization": "Token " + TOKEN})
            nxt = back.take(1)
            marker = max(srv.events("/api/events/?project=streamed&order=date"))
            r.check("Last-Event-ID: then live, no duplicates", len(nxt) == 1 and int(nxt[0]["id"]) == marker,
                    (nxt, marker))

            # The query fallback replays from the start.
            everything = srv.events("/api/events/?project=streamed&order=date")
            replay = SseClient(srv.port, "/api/events/stream/?project=streamed&since_id=0")
            streams.append(replay)
            got = replay.take(len(everything))
            r.check("since_id=0 replays all", [int(f["id"]) for f in got] == sorted(everything),
                    (len(got), len(everything)))

            # Refusals.
            bad = SseClient(srv.port, "/api/events/stream/", headers={"Last-Event-ID": "x1"})
            r.check("bad Last-Event-ID -> 400", bad.status == 400, bad.body)
            bad = SseClient(srv.port, "/api/events/stream/?project=nosuch")
            r.check("impossible filter -> 400", bad.status == 400, bad.body)
            bad = SseClient(srv.port, "/api/events/stream/", headers={"Authorization": "Token nope"})
            r.check("bad token -> 403", bad.status == 403, bad.body)
            status, _ = srv.request("GET", "/api/events/?project=streamed")
            r.check("the list still answers with streams open", status == 200)

            # SIGTERM: streams end cleanly, the server exits.
            r.check("server stops with streams open", srv.stop())
            r.check("streams see the end", all(s.closed.wait(WAIT) for s in (back, created, quiet, replay)))
        finally:
            for s in streams:
                s.close()
            srv.stop()

        # The stream cap leaves ordinary requests alone.
        srv = Server(binary, db, "--max-streams", "2", "--max-connections", "8")
        held = []
        try:
            held = [SseClient(srv.port, "/api/events/stream/") for _ in range(2)]
            r.check("streams up to the cap", all(s.status == 200 for s in held))
            over = SseClient(srv.port, "/api/events/stream/")
            r.check("over the stream cap -> 503", over.status == 503, over.status)
            oks = [srv.request("GET", "/api/projects/")[0] for _ in range(10)]
            r.check("requests served at the stream cap", oks == [200] * 10, oks)
            held[0].close()
            # The freed slot is taken again once the server saw the client go.
            deadline, status = time.time() + WAIT, 0
            while time.time() < deadline:
                s = SseClient(srv.port, "/api/events/stream/")
                status = s.status
                held.append(s)
                if status == 200:
                    break
                time.sleep(0.05)
            r.check("a closed stream frees its slot", status == 200, status)
        finally:
            for s in held:
                s.close()
            r.check("server stops", srv.stop())
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
