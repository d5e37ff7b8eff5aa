#!/usr/bin/env python3
"""Hostile requests against the real server (issue #9): each must get an
answer or a closed connection, and afterwards the same process must still
serve. Raw sockets, so the bytes are exactly what an attacker would send.

usage: http_abuse.py --binary build/patchbay
Last line: "N passed, M failed"; exit status 1 on any failure."""

import argparse
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
from web_session import run  # noqa: E402  (setup commands, exit on failure)
import testdb  # noqa: E402

PASSWORD = "abuse-password"


def mail(n):
    return ("""From: Pat Submitter <pat@example.com>
To: abuse@lists.example.org
List-Id: <abuse.lists.example.org>
Subject: [PATCH] abuse: patch %d
Date: Mon, 01 Jan 2024 10:%02d:00 +0000
Message-Id: <abuse-%d@example.com>

A patch.

---
diff --git a/f b/f
--- a/f
+++ b/f
@@ -1 +1 @@
-a
+%d
""" % (n, n, n, n)).encode()


class Server:
    def __init__(self, binary, db, extra=()):
        self.proc = subprocess.Popen(
            [binary, "serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "2"] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"patchbay: serving on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            sys.exit("server did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def exchange(self, data, timeout=10):
        """Sends raw bytes, returns (status or None, headers+body bytes)."""
        s = self.connect(timeout)
        try:
            s.sendall(data)
        except OSError:
            pass
        out = read_response(s)
        s.close()
        return status_of(out), out

    def get(self, path, headers=b""):
        return self.exchange(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                             b"Connection: close\r\n\r\n")

    def alive(self):
        st, _ = self.get(b"/api/projects/")
        return self.proc.poll() is None and st == 200

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return self.proc.stderr.read().decode(errors="replace")


def read_response(s):
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            head, sep, body = out.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)content-length: (\d+)", head)
            if sep and m and len(body) >= int(m.group(1)):
                break
    except OSError:
        pass
    return out


def status_of(out):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", out)
    return int(m.group(1)) if m else None


def header(out, name):
    m = re.search(rb"(?im)^" + name.encode() + rb": ([^\r\n]*)", out.partition(b"\r\n\r\n")[0])
    return m.group(1) if m else None


def csrf_session(srv):
    """A csrftoken cookie and a form token, from the login page."""
    st, out = srv.get(b"/user/login/")
    cookie = re.search(rb"csrftoken=(\w+)", out).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="(\w+)"', out).group(1)
    return cookie, token


def critical(srv, r):
    # 1. Response headers that would pass Beast's 65,533-byte field limit.
    st, out = srv.get(b"/api/patches/?page=2&per_page=1&zz=" + b"\xff" * 1900)
    r.check("invalid bytes echoed into Link: refused, not a crash", st == 400, out[:200])
    r.check("server alive after Link bomb", srv.alive())
    st, out = srv.get(b"/api/patches/?page=2&per_page=1&zz=" + b"a" * 1000)
    r.check("a long but sane query still pages", st == 200 and b'rel="next"' in out, out[:300])

    st, out = srv.get(b"/user/?" + b"&" * 22000)
    r.check("22,000 '&' login redirect: 414", st == 414, out[:200])
    r.check("server alive after redirect bomb", srv.alive())
    st, out = srv.get(b"/user/?" + b"&" * 2000)
    loc = header(out, "Location") or b""
    r.check("2,000 '&' still redirects to login", st == 302 and loc.startswith(b"/user/login/?next="), out[:200])

    cookie, token = csrf_session(srv)
    body = b"csrfmiddlewaretoken=" + token + b"&next=/" + b"a" * 70000
    st, out = srv.exchange(b"POST /user/logout/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + cookie +
                           b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                           str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    r.check("logout with a 70 KB next: redirect to /", st == 302 and header(out, "Location") == b"/", out[:200])
    r.check("server alive after logout bomb", srv.alive())

    # Absolute-form request target (RFC 9112 §3.2.2), as pwclient's transport sends it.
    call = xmlrpc.client.dumps((), "pw_rpc_version").encode()
    st, out = srv.exchange(b"POST http://127.0.0.1:%d/xmlrpc/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Type: text/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                           % (srv.port, len(call)) + call)
    r.check("absolute-form XML-RPC target", st == 200 and b"<methodResponse>" in out, out[:300])
    st, out = srv.get(b"http://127.0.0.1/api/projects/?format=json")
    r.check("absolute-form API target", st == 200 and b'"link_name":"abuse"' in out, out[:300])

    # 2. Chunked trailers fall under the header limit.
    head = (b"POST /xmlrpc/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: text/xml\r\n\r\n4\r\nabcd\r\n0\r\n")
    st, out = srv.exchange(head + b"X-Trailer: " + b"t" * 70000 + b"\r\n\r\n")
    r.check("70 KB trailer field: 431", st == 431, out[:200])
    r.check("server alive after trailer", srv.alive())
    s = srv.connect()
    s.sendall(head)
    refused = None
    sent = 0
    try:
        for _ in range(200):  # 200 x 64 KB: a trailer that never ends
            s.sendall(b"X-" + str(sent).encode() + b": " + b"v" * 65000 + b"\r\n")
            sent += 1
    except OSError:
        refused = True
    out = read_response(s)
    s.close()
    r.check("endless trailer cut off early", status_of(out) == 431 or refused, (sent, out[:100]))
    r.check("server alive after endless trailer", srv.alive())

    # Request line over 8 KB.
    st, out = srv.get(b"/api/patches/?q=" + b"x" * 9000)
    r.check("9 KB request target: 414", st == 414, out[:200])


def api_limits(srv, r, token):
    auth = b"Authorization: Token " + token.encode() + b"\r\n"

    def send_json(method, path, obj):
        body = json.dumps(obj).encode()
        return srv.exchange(method + b" " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                            b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                            b"\r\nConnection: close\r\n\r\n" + body)

    # 5. Bulk PATCH is capped before any item is looked at.
    st, out = send_json(b"PATCH", b"/api/patches/", [{"id": i, "state": "accepted"} for i in range(1, 200002)])
    r.check("bulk PATCH of 200,001 items: 400", st == 400 and b"at most 1000" in out, (st, out[-200:]))
    st, out = send_json(b"PATCH", b"/api/patches/", [{"id": 1, "state": "under-review"},
                                                    {"id": 2, "state": "under-review"}])
    r.check("small bulk PATCH still works", st == 200, out[-300:])

    # 6. A bundle name can't split a header.
    st, out = send_json(b"POST", b"/api/bundles/", {"name": "evil\r\nSet-Cookie: x=1", "patches": [1],
                                                   "public": True})
    r.check("bundle name with CR/LF refused", st == 400 and b"control characters" in out, out[-300:])
    st, out = send_json(b"POST", b"/api/bundles/", {"name": "fine-name", "patches": [1], "public": True})
    r.check("plain bundle name accepted", st == 201, out[-300:])
    st, out = srv.get(b"/bundle/maria/fine-name/mbox/")
    r.check("bundle mbox download", st == 200 and b"Content-Disposition: attachment; filename=bundle-1-fine-name.mbox" in out,
            out[:300])


def connection_caps(binary, db, r):
    # 10. A connection cap: idle keep-alive connections make room for new ones;
    # with every slot busy mid-request, a newcomer gets 503 and the server lives.
    srv = Server(binary, db, ["--max-connections", "20"])
    try:
        idle = [srv.connect() for _ in range(40)]
        time.sleep(0.3)
        r.check("40 idle connections under a cap of 20: service goes on", srv.alive())
        for s in idle:
            s.close()
        time.sleep(0.3)
        busy = []
        for _ in range(40):  # more than the cap, so every worker's share is full
            s = srv.connect()
            s.sendall(b"GET /api/projects/ HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            busy.append(s)
        time.sleep(0.3)
        st, out = srv.get(b"/api/projects/")
        r.check("cap reached with busy connections: 503", st == 503, out[:200])
        r.check("cap reached: the server still runs", srv.proc.poll() is None)
        for s in busy:
            s.close()
        time.sleep(0.3)
        r.check("service back once they are gone", srv.alive())
    finally:
        srv.stop()

    # A bound on request bodies held at once.
    srv = Server(binary, db, ["--max-body-in-flight", "1000000"])
    try:
        # Two bodies of 600 KB against a budget of 1 MB: whichever the server
        # reads second is refused. On a loaded machine it may read the second
        # connection's headers first, so the test waits for either answer
        # instead of assuming the order.
        large = b"POST /xmlrpc/ HTTP/1.1\r\nHost: x\r\nContent-Length: 600000\r\nConnection: close\r\n\r\n"
        a = srv.connect()
        a.sendall(large + b"x" * 1000)
        time.sleep(0.3)
        b = srv.connect()
        b.sendall(large)
        readable, _, _ = select.select([a, b], [], [], 15)
        out = read_response(readable[0]) if readable else b""
        st = status_of(out)
        r.check("one of two large bodies over the budget: 503", st == 503 and header(out, "Retry-After") == b"1",
                out[:200])
        a.close()
        b.close()
        time.sleep(0.3)
        r.check("alive after body budget", srv.alive())
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        db = testdb.new_url(tmp, "abuse.db")
        pb = [args.binary]
        run(pb + ["migrate", "--database", db])
        run(pb + ["project", "create", "--database", db, "--linkname", "abuse", "--name", "Abuse",
                  "--listid", "abuse.lists.example.org", "--listemail", "abuse@lists.example.org"])
        run(pb + ["user", "create", "--database", db, "--username", "maria", "--email",
                  "maria@example.com", "--password", PASSWORD, "--maintainer", "abuse"])
        token = run(pb + ["user", "token", "--database", db, "maria"]).strip()
        for n in range(1, 4):
            run(pb + ["parsemail", "--database", db], input=mail(n))
        srv = Server(args.binary, db)
        try:
            critical(srv, r)
            api_limits(srv, r, token)
        finally:
            log = srv.stop()
        r.check("server exited cleanly", srv.proc.returncode == 0, (srv.proc.returncode, log[-500:]))
        connection_caps(args.binary, db, r)
        srv = Server(args.binary, db, ["--base-url", "https://patches.example.org"])
        try:
            st, out = srv.get(b"/user/login/")
            cookie = header(out, "Set-Cookie") or b""
            r.check("https --base-url: cookies are Secure", cookie.startswith(b"csrftoken=")
                    and cookie.endswith(b"; Secure"), out[:400])
            # A login's answer comes from the side pool (the password check is
            # offloaded): its session cookie must be Secure too.
            cookie, token = csrf_session(srv)
            body = (b"csrfmiddlewaretoken=" + token + b"&username=maria&password=" + PASSWORD.encode() +
                    b"&next=/user/todo/")
            st, out = srv.exchange(b"POST /user/login/ HTTP/1.1\r\nHost: patches.example.org\r\n"
                                   b"Referer: https://patches.example.org/user/login/\r\nCookie: csrftoken=" +
                                   cookie + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                   b"Content-Length: " + str(len(body)).encode() +
                                   b"\r\nConnection: close\r\n\r\n" + body)
            head = out.partition(b"\r\n\r\n")[0]
            cookies = re.findall(rb"(?im)^Set-Cookie: ([^\r\n]*)", head)
            r.check("https --base-url: the login's session cookie is Secure",
                    st == 302 and any(c.startswith(b"sessionid=") for c in cookies)
                    and all(c.endswith(b"; Secure") for c in cookies), head[:600])
        finally:
            srv.stop()
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
