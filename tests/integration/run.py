#!/usr/bin/env python3
"""Black-box tests of `patchbay serve`: starts the real binary on a free
port, fills a database, and checks the HTTP answers -- against upstream's
captured bytes (shared/golden) where the golden state can be rebuilt, and
for robustness (bad input, oversized requests, shutdown) everywhere.

Usage: run.py --binary build/patchbay --source .   (Python 3 stdlib only)
Last line: "N passed, M failed"; exit status 1 on any failure."""

import argparse
import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_db  # noqa: E402
import writes  # noqa: E402
import reads  # noqa: E402
import concurrent_details  # noqa: E402
import testdb

GOLDEN_HOST = "127.0.0.1:8000"
AUTH = {"admin-token": "Token " + golden_db.ADMIN_TOKEN, "bob-token": "Token " + golden_db.BOB_TOKEN}


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))


class Server:
    def __init__(self, binary, db_url):
        self.proc = subprocess.Popen(
            [binary, "serve", "--database", db_url, "--listen", "127.0.0.1:0", "--threads", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("patchbay: serving on http://127.0.0.1:"):
            raise RuntimeError("server did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.strip().rsplit(":", 1)[1].rstrip("/"))

    def stop(self):
        """SIGTERM, as an admin stops it (serve then prints its shutdown lines on stderr)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def request(self, method, path, headers=None, body=None, host=GOLDEN_HOST):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        result = (resp.status, resp.getheaders(), data)
        conn.close()
        return result

    def raw(self, data, read_timeout=5):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout)
        try:
            s.sendall(data)
        except OSError:
            pass
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and b"Content-Length: 0" in out:
                    break
        except OSError:
            pass
        s.close()
        return out


def supported(entry):
    path = entry["path"].split("?")[0]
    if not path.startswith("/api/") or entry["method"] not in ("GET", "HEAD", "OPTIONS"):
        return False
    parts = [p for p in path[5:].split("/") if p]
    if parts and parts[0] in ("1.0", "1.1", "1.2", "1.3"):
        parts = parts[1:]
    if not parts:
        return True
    if parts[0] in ("projects", "people"):
        return True
    if parts[0] == "patches":
        return len(parts) <= 2 or entry["status"] == 404 and entry["file"].endswith(".html")
    return False


def golden_replay(srv, golden, r):
    manifest = json.load(open(os.path.join(golden, "http", "requests.json")))
    for e in manifest:
        if not supported(e):
            continue
        headers = {"Accept": "*/*", "User-Agent": "pwref-capture/1"}
        if e["auth"]:
            headers["Authorization"] = AUTH[e["auth"]]
        status, got_headers, body = srv.request(e["method"], e["path"], headers)
        want_body = b""
        if e["file"]:
            want_body = open(os.path.join(golden, "http", e["file"]), "rb").read()
        want_headers = [tuple(h) for h in e["response_headers"]]
        r.check("golden %s status" % e["name"], status == e["status"], "%s != %s" % (status, e["status"]))
        r.check("golden %s headers" % e["name"], got_headers == want_headers,
                "\n  got  %s\n  want %s" % (got_headers, want_headers))
        if body != want_body:
            detail = ""
            try:
                g, w = json.loads(body), json.loads(want_body)
                detail = "(JSON %s)" % ("equal, bytes differ" if g == w else "differs")
                if isinstance(g, dict) and isinstance(w, dict):
                    diff = [k for k in set(g) | set(w) if g.get(k) != w.get(k)]
                    detail += " keys %s" % diff[:8]
            except ValueError:
                detail = body[:200]
            r.check("golden %s body" % e["name"], False, detail)
        else:
            r.check("golden %s body" % e["name"], True)


def behaviour(srv, r):
    def get(path, **kw):
        return srv.request("GET", path, **kw)

    # Versions and shapes.
    st, h, b = get("/api/1.4/projects/1/")
    r.check("v1.4 project", st == 200 and json.loads(b).get("show_dependencies") is False, b[:200])
    st, h, b = get("/api/1.1/projects/1/")
    r.check("v1.1 project fields", st == 200 and "subject_match" in json.loads(b)
            and "list_archive_url" not in json.loads(b))
    st, h, b = srv.request("HEAD", "/api/patches/54/")
    st2, h2, b2 = get("/api/patches/54/")
    r.check("HEAD = GET headers, no body", st == 200 and h == h2 and b == b"", (h, h2))

    # Bad ids and routes.
    st, h, b = get("/api/patches/abc/")
    r.check("non-numeric id -> HTML 404", st == 404 and b"does not exist" in b)
    st, h, b = get("/api/patches/99999999999999999999999/")
    r.check("huge id -> JSON 404", st == 404 and b == b'{"detail":"Not found."}', b)
    st, h, b = get("/api/1.0/patches/1/comments/")
    r.check("unknown versioned route -> HTML 404", st == 404 and dict(h)["Content-Type"].startswith("text/html"))
    st, h, b = get("/api/patches")
    r.check("append slash", st == 301 and dict(h).get("Location") == "/api/patches/", (st, h))
    st, h, b = get("/api/people/99999/", headers={"Authorization": AUTH["admin-token"]})
    r.check("person 404", st == 404 and b == b'{"detail":"Not found."}')

    # Bad query values.
    st, h, b = get("/api/patches/?page=abc")
    r.check("bad page", st == 404 and b == b'{"detail":"Invalid page."}')
    st, h, b = get("/api/patches/?page=0")
    r.check("page 0", st == 404)
    st, h, b = get("/api/patches/?per_page=abc")
    r.check("bad per_page -> default", st == 200 and len(json.loads(b)) == 30)
    st, h, b = get("/api/patches/?per_page=1000")
    r.check("per_page capped", st == 200 and len(json.loads(b)) == 56)
    st, h, b = get("/api/patches/?page=last&per_page=10")
    r.check("page=last", st == 200 and len(json.loads(b)) == 6)
    for q in ("project=nosuch", "since=garbage", "state=bogus", "submitter=nobody@x", "series=9999",
              "project=1&project=nosuch", "delegate=", "since=2020-01-01"):
        st, h, b = get("/api/patches/?" + q)
        r.check("invalid filter %s -> []" % q, st == 200 and b == b"[]", (st, b[:100]))
    st, h, b = get("/api/patches/?archived=maybe&per_page=100")
    r.check("bad boolean ignored", st == 200 and len(json.loads(b)) == 56)
    st, h, b = get("/api/patches/?order=bogus,-id&per_page=2")
    r.check("order ignores unknown", st == 200 and [p["id"] for p in json.loads(b)] == [56, 55])
    st, h, b = get("/api/patches/?state=new&state=under-review&per_page=100")
    r.check("repeated filter = OR", st == 200 and len(json.loads(b)) == 56)
    st, h, b = get("/api/1.1/patches/?hash=201d414fd34cef186a0813dd4d49b5f873d00605&per_page=100")
    r.check("hash ignored before 1.2", st == 200 and len(json.loads(b)) == 56)
    st, h, b = get("/api/patches/?q=%00,markdown")
    r.check("search with NUL and comma", st == 200 and len(json.loads(b)) > 0)

    # Authentication.
    st, h, b = get("/api/people/", headers={"Authorization": "Token nope"})
    r.check("bad token", st == 403 and b == b'{"detail":"Invalid token."}', b)
    st, h, b = get("/api/patches/", headers={"Authorization": "Token nope"})
    r.check("bad token on public view", st == 403)
    basic = lambda u, p: "Basic " + base64.b64encode(("%s:%s" % (u, p)).encode()).decode()
    st, h, b = get("/api/people/1/", headers={"Authorization": basic("admin", "admin")})
    r.check("basic auth", st == 200, b)
    st, h, b = get("/api/people/1/", headers={"Authorization": basic("admin", "wrong")})
    r.check("basic wrong password", st == 403 and b == b'{"detail":"Invalid username/password."}', b)
    st, h, b = get("/api/people/1/", headers={"Authorization": "Basic abc"})
    r.check("basic garbage", st == 403 and b"base64" in b, b)

    # Methods.
    st, h, b = srv.request("POST", "/api/patches/", body=b"{}", headers={"Content-Type": "application/json"})
    r.check("POST list -> 405", st == 405 and b == b'{"detail":"Method \\"POST\\" not allowed."}', b)
    st, h, b = srv.request("DELETE", "/api/projects/1/")
    r.check("DELETE -> 405", st == 405)

    # Host handling.
    st, h, b = get("/api/", host="patchwork.example.org")
    r.check("origin from Host", st == 200 and b'"http://patchwork.example.org/api/projects/"' in b)
    st, h, b = get("/api/", host="bad host!")
    r.check("invalid Host -> 400", st == 400)
    out = srv.raw(b"GET /api/ HTTP/1.0\r\n\r\n")
    r.check("HTTP/1.0 without Host", out.startswith(b"HTTP/1.0 200") and
            ("http://127.0.0.1:%d/api/" % srv.port).encode() in out, out[:300])

    # Keep-alive: several requests on one connection.
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    ok = True
    for _ in range(3):
        conn.request("GET", "/api/projects/1/")
        resp = conn.getresponse()
        ok = ok and resp.status == 200 and len(resp.read()) > 0
    conn.close()
    r.check("keep-alive", ok)

    # Oversized and malformed requests get a clear error; the server survives.
    out = srv.raw(b"GET /api/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
    r.check("huge header -> 431", out.startswith(b"HTTP/1.1 431"), out[:100])
    out = srv.raw(b"POST /api/patches/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    r.check("huge body -> 413", out.startswith(b"HTTP/1.1 413"), out[:100])
    out = srv.raw(b"NOT HTTP AT ALL\r\n\r\n")
    r.check("garbage -> 400", out.startswith(b"HTTP/1.1 400"), out[:100])
    st, h, b = get("/api/")
    r.check("still serving", st == 200)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    golden = os.path.join(os.path.abspath(args.source), "..", "shared", "golden")
    r = Results()
    with tempfile.TemporaryDirectory(prefix="patchbay-it-") as tmp:
        url = testdb.new_url(tmp, "golden.db")
        subprocess.run([args.binary, "migrate", "--database", url], check=True, stdout=subprocess.DEVNULL)
        have_golden = os.path.isdir(golden)
        if have_golden:
            golden_db.load(url, golden)
        else:
            print("shared/golden missing: only robustness checks run")
        srv = Server(args.binary, url)
        try:
            if have_golden:
                golden_replay(srv, golden, r)
                behaviour(srv, r)
            else:
                st, h, b = srv.request("GET", "/api/")
                r.check("index", st == 200)
        finally:
            srv.proc.send_signal(signal.SIGTERM)
            try:
                code = srv.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                srv.proc.kill()
                code = None
            r.check("SIGTERM -> clean exit", code == 0, "exit %s" % code)
        if have_golden:
            # Details at once and alone, on the same (unchanged) database.
            concurrent_details.run(args.binary, url, Server, r)
            # Writes change data: they run on servers and databases of their own.
            writes.run(args.binary, tmp, golden, Server, r)
            # The other read resources, on the state built by the real ingestion.
            reads.run(args.binary, tmp, golden, Server, r)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
