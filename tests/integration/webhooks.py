#!/usr/bin/env python3
"""Webhooks and automatic superseding against the real binary (issue #14).

Webhooks: a real HTTP receiver on 127.0.0.1 (started and stopped here)
answers 500, then closes the connection, then recovers; every delivery is
signed (HMAC-SHA256 over the exact body) and keeps its delivery id across
retries; every attempt is logged (CLI and /api/webhooks/); a webhook gets
only its categories; the body is the event as /api/events/ shows it. Then
`serve`'s own dispatcher thread with a receiver that accepts and never
answers: while a POST hangs on it, ingestion and the API still answer.

Superseding: a project with supersede_revisions on, fed v1+v2 by
parsearchive and v3 by parsemail.

usage: webhooks.py --binary build/patchbay
Last line: "N passed, M failed"."""

import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
import testdb  # noqa: E402
from web_session import Browser  # noqa: E402

SITE = "http://pb.test"
SECRET = "s3cret-key"


def mail(msgid, subject, listid, date="Mon, 01 Jan 2024 10:00:00 +0000", refs=None, n=0):
    hdr = ""
    if refs:
        hdr = "In-Reply-To: %s\nReferences: %s\n" % (refs, refs)
    return ("""From: Jane Doe <jane@example.com>
To: list@example.org
List-Id: <%s>
Subject: %s
Date: %s
Message-Id: %s
%s
A change.

---
diff --git a/f%d b/f%d
--- a/f%d
+++ b/f%d
@@ -1 +1 @@
-a
+b
""" % (listid, subject, date, msgid, hdr, n, n, n, n)).encode()


class Receiver:
    """A webhook receiver: mode "fail" answers 500, "close" drops the
    connection unanswered, "ok" answers 200. Keeps every request."""

    def __init__(self):
        self.mode = "fail"
        self.requests = []  # (mode, path, headers dict, body bytes)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append((outer.mode, self.path, dict(self.headers.items()), body))
                if outer.mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                code = 200 if outer.mode == "ok" else 500
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if code == 500 else b"ok")

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class DeadReceiver:
    """Accepts connections and never answers: a hung CI system."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(c)

    def stop(self):
        self.stopping = True
        self.sock.close()
        for c in self.accepted:
            c.close()


class Env:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.db = testdb.new_url(tmp, "hooks.db")

    def run(self, *args, input=None, check=True):
        r = subprocess.run([self.binary] + list(args) + ["--database", self.db],
                           capture_output=True, input=input, timeout=120)
        if check and r.returncode != 0:
            sys.exit("%s failed (%d): %s" % (" ".join(args), r.returncode,
                                             r.stderr.decode(errors="replace")))
        return r


class Serve:
    def __init__(self, env, *extra):
        self.proc = subprocess.Popen(
            [env.binary, "serve", "--database", env.db, "--listen", "127.0.0.1:0", "--threads", "2",
             "--base-url", SITE] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"patchbay: serving on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError("server did not start: %r" % line)
        self.port = int(m.group(1))

    def request(self, method, path, token=None, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Host": "pb.test"}
        if token:
            headers["Authorization"] = "Token " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        self.last_headers = dict(resp.getheaders())
        out = resp.status, resp.read()
        conn.close()
        return out

    def json(self, path, token=None, timeout=30):
        status, body = self.request("GET", path, token, timeout=timeout)
        return status, (json.loads(body) if body else None)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def webhook_id(out):
    m = re.search(r"webhook (\d+) added", out)
    return int(m.group(1)) if m else None


def test_delivery_retries_and_log(env, r):
    recv = Receiver()
    try:
        url = "http://127.0.0.1:%d/hook" % recv.port
        out = env.run("webhook", "add", "--project", "hooks", "--url", url, "--secret", SECRET,
                      "--events", "patch-created,series-created").stdout.decode()
        hook = webhook_id(out)
        r.check("add prints the id and secret", hook and ("secret: " + SECRET) in out, out)
        out = env.run("webhook", "add", "--project", "hooks", "--url", url + "/checks",
                      "--events", "check-created").stdout.decode()
        checks_hook = webhook_id(out)
        r.check("a secret is made up when none is given",
                re.search(r"secret: [0-9a-f]{20,}", out) is not None, out)
        bad = env.run("webhook", "add", "--project", "hooks", "--url", url, "--events", "nope",
                      check=False)
        r.check("unknown category refused", bad.returncode != 0 and b"nope" in bad.stderr, bad.stderr)
        bad = env.run("webhook", "add", "--project", "hooks", "--url", "ftp://x/", check=False)
        r.check("non-http URL refused", bad.returncode != 0, bad.stderr)

        env.run("parsemail", input=mail("<h1@example.com>", "[PATCH] hooks: one", "hooks.example.org"))

        # 1: the receiver fails with 500.
        run = env.run("webhook", "run", "--site-url", SITE, check=False)
        out = run.stdout.decode()
        r.check("first run queues two and keeps them for retry",
                run.returncode == 1 and "2 queued, 0 delivered, 2 to retry" in out, out)
        r.check("receiver saw two posts", len(recv.requests) == 2, len(recv.requests))
        # A run without --all respects the backoff: nothing is due yet.
        out = env.run("webhook", "run", "--site-url", SITE).stdout.decode()
        r.check("backoff: nothing due right away", "0 queued, 0 delivered, 0 to retry" in out, out)
        # 2: the receiver drops the connection.
        recv.mode = "close"
        run = env.run("webhook", "run", "--all", "--site-url", SITE, check=False)
        r.check("closed connection is a failure", "2 to retry" in run.stdout.decode(), run.stdout)
        # 3: it recovers.
        recv.mode = "ok"
        out = env.run("webhook", "run", "--all", "--site-url", SITE).stdout.decode()
        r.check("recovered receiver gets both", "0 queued, 2 delivered, 0 to retry" in out, out)
        out = env.run("webhook", "run", "--all", "--site-url", SITE).stdout.decode()
        r.check("delivered ones are not sent again", "0 delivered, 0 to retry" in out, out)

        reqs = recv.requests
        r.check("six posts in all", len(reqs) == 6, [(m, p) for m, p, _, _ in reqs])
        ok = [x for x in reqs if x[0] == "ok"]
        for mode, path, headers, body in reqs:
            sig = headers.get("X-Patchbay-Signature", "")
            want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            r.check("signature verifies (%s)" % mode, hmac.compare_digest(sig, want), (sig, want))
            r.check("json content type", headers.get("Content-Type") == "application/json", headers)
            r.check("only this webhook's path", path == "/hook", path)
        ids = {}
        for mode, _, headers, body in reqs:
            ids.setdefault(headers.get("X-Patchbay-Delivery"), []).append(json.loads(body)["category"])
        r.check("one delivery id per event, kept across retries",
                len(ids) == 2 and all(len(v) == 3 and len(set(v)) == 1 for v in ids.values()), ids)
        r.check("delivery ids look like UUIDs",
                all(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", k or "")
                    for k in ids), list(ids))
        cats = sorted(json.loads(b)["category"] for _, _, _, b in ok)
        r.check("categories filter", cats == ["patch-created", "series-created"], cats)
        r.check("event header names the category",
                all(h.get("X-Patchbay-Event") == json.loads(b)["category"] for _, _, h, b in ok))

        # The CLI log: three attempts each, 500, no response, 200.
        out = env.run("webhook", "deliveries", str(hook)).stdout.decode()
        r.check("deliveries list both as delivered", out.count(" delivered  attempts 3") == 2, out)
        r.check("attempt log shows each try",
                out.count("  HTTP 500  ") == 2 and out.count("  no response  ") == 2 and
                out.count("  HTTP 200  ") == 2, out)
        out = env.run("webhook", "deliveries", str(checks_hook)).stdout.decode()
        r.check("check-created webhook got nothing", "no deliveries" in out, out)
        out = env.run("webhook", "list", "--project", "hooks").stdout.decode()
        r.check("list shows both", ("%d  hooks  %s" % (hook, url)) in out and
                "events: check-created" in out and SECRET not in out, out)
        return ok
    finally:
        recv.stop()


def test_api(env, r, delivered):
    hook = int(re.search(r"^(\d+) ", env.run("webhook", "list").stdout.decode(), re.M).group(1))
    env.run("user", "create", "--username", "root", "--email", "root@example.com", "--password",
            "root pw", "--superuser")
    env.run("user", "create", "--username", "bob", "--email", "bob@example.com", "--password", "bob pw")
    root = env.run("user", "token", "root").stdout.decode().strip()
    bob = env.run("user", "token", "bob").stdout.decode().strip()
    srv = Serve(env, "--no-webhooks")
    try:
        # The body is the event as /api/events/ shows it.
        for _, _, _, body in delivered:
            ev = json.loads(body)
            status, events = srv.json("/api/events/?category=" + ev["category"])
            same = [e for e in events if e["id"] == ev["id"]]
            r.check("body equals /api/events/ (%s)" % ev["category"], status == 200 and same == [ev],
                    (same, ev))
        status, _ = srv.json("/api/webhooks/")
        r.check("anonymous: 403", status == 403, status)
        status, _ = srv.json("/api/webhooks/", bob)
        r.check("not a superuser: 403", status == 403, status)
        status, _ = srv.request("POST", "/api/webhooks/", bob,
                                {"project": "hooks", "target_url": "http://127.0.0.1:9/"})
        r.check("not a superuser cannot add: 403", status == 403, status)
        status, hooks = srv.json("/api/webhooks/", root)
        r.check("superuser lists webhooks", status == 200 and len(hooks) == 2 and
                hooks[0]["project"] == "hooks" and "secret" not in hooks[0], hooks)
        status, log = srv.json("/api/webhooks/%d/deliveries/" % hook, root)
        r.check("deliveries over the API", status == 200 and len(log) == 2 and
                all(d["status"] == "delivered" and len(d["attempt_log"]) == 3 and
                    [a["response_code"] for a in d["attempt_log"]] == [500, None, 200]
                    for d in log), log)
        status, body = srv.request("POST", "/api/webhooks/", root,
                                   {"project": "hooks", "target_url": "https://ci.example.org/hook",
                                    "events": ["series-completed"], "secret": "x"})
        made = json.loads(body) if status == 201 else {}
        r.check("superuser adds one", status == 201 and made.get("events") == ["series-completed"] and
                made.get("secret") == "x", body)
        status, body = srv.request("POST", "/api/webhooks/", root,
                                   {"project": "hooks", "target_url": "https://x.example.org/",
                                    "events": ["bogus"]})
        r.check("bad category: 400", status == 400, body)
        status, _ = srv.request("DELETE", "/api/webhooks/%d/" % made.get("id", 0), root)
        r.check("superuser removes it", status == 204, status)
        status, _ = srv.json("/api/webhooks/%d/" % made.get("id", 0), root)
        r.check("gone", status == 404, status)
    finally:
        srv.stop()


def test_enable_disable_and_pages(env, r):
    """A disabled webhook queues and sends nothing; enabled again, it gets
    what happens from then on. Deliveries come in pages."""
    root = env.run("user", "token", "root").stdout.decode().strip()
    bob = env.run("user", "token", "bob").stdout.decode().strip()
    old = [int(m) for m in re.findall(r"^(\d+) ", env.run("webhook", "list").stdout.decode(), re.M)]
    recv = Receiver()
    recv.mode = "ok"
    srv = Serve(env, "--no-webhooks")
    n = [40]

    def post(msgid):
        n[0] += 1
        env.run("parsemail", input=mail(msgid, "[PATCH] hooks: %s" % msgid.strip("<>"),
                                        "hooks.example.org", n=n[0]))

    def run(*extra):
        return env.run("webhook", "run", "--site-url", SITE, *extra, check=False).stdout.decode()

    def received():
        return sorted(json.loads(b)["payload"]["patch"]["msgid"] for _, _, _, b in recv.requests)

    try:
        # The API turns the earlier webhooks off (superusers only).
        status, _ = srv.request("PATCH", "/api/webhooks/%d/" % old[0], bob, {"active": False})
        r.check("not a superuser cannot disable: 403", status == 403, status)
        status, body = srv.request("PATCH", "/api/webhooks/%d/" % old[0], root, {"active": "maybe"})
        r.check("active must be a boolean: 400", status == 400 and b"active" in body, body)
        for hook in old:
            status, body = srv.request("PATCH", "/api/webhooks/%d/" % hook, root, {"active": False})
            r.check("PATCH active=false", status == 200 and json.loads(body)["active"] is False, body)
        status, body = srv.request("PUT", "/api/webhooks/%d/" % old[0], root, {"active": False})
        r.check("PUT works too", status == 200 and json.loads(body)["active"] is False, body)

        url = "http://127.0.0.1:%d/pages" % recv.port
        hook = webhook_id(env.run("webhook", "add", "--project", "hooks", "--url", url,
                                  "--events", "patch-created").stdout.decode())
        out = env.run("webhook", "disable", str(hook)).stdout.decode()
        r.check("CLI disable", out.strip() == "webhook %d disabled" % hook, out)
        out = env.run("webhook", "list").stdout.decode()
        r.check("list says disabled", all(re.search(r"^%d .*  disabled$" % h, out, re.M) for h in old + [hook]),
                out)
        post("<off@example.com>")
        out = run()
        r.check("disabled webhooks queue nothing", "0 queued, 0 delivered" in out and not recv.requests, out)
        out = env.run("webhook", "enable", str(hook)).stdout.decode()
        r.check("CLI enable", out.strip() == "webhook %d enabled" % hook, out)
        out = run()
        r.check("what happened while off is not sent", "0 queued, 0 delivered" in out and not recv.requests,
                out)
        post("<on1@example.com>")
        post("<on2@example.com>")
        out = run()
        r.check("enabled again: new events are sent", "2 queued, 2 delivered" in out and
                received() == ["<on1@example.com>", "<on2@example.com>"], (out, received()))

        # A pending delivery waits while its webhook is off.
        recv.mode = "fail"
        post("<wait@example.com>")
        out = run()
        r.check("failed delivery kept for retry", "1 queued, 0 delivered, 1 to retry" in out, out)
        env.run("webhook", "disable", str(hook))
        tries = len(recv.requests)
        out = run("--all")
        r.check("a disabled webhook's queue is not sent",
                "0 delivered, 0 to retry" in out and len(recv.requests) == tries, out)
        recv.mode = "ok"
        status, body = srv.request("PATCH", "/api/webhooks/%d/" % hook, root, {"active": True})
        r.check("PATCH active=true", status == 200 and json.loads(body)["active"] is True, body)
        out = run("--all")
        r.check("enabled again, the queue is sent", "0 queued, 1 delivered" in out, out)

        # Three deliveries, newest first, in pages.
        base = "/api/webhooks/%d/deliveries/" % hook
        status, every = srv.json(base, root)
        r.check("three deliveries, newest first", status == 200 and len(every) == 3 and
                [d["id"] for d in every] == sorted((d["id"] for d in every), reverse=True), every)
        status, body = srv.request("GET", base + "?per_page=2", root)
        link = srv.last_headers.get("Link", "")
        page1 = json.loads(body)
        r.check("page 1 of 2", status == 200 and [d["id"] for d in page1] == [d["id"] for d in every[:2]] and
                re.search(r'<[^>]*[?&]page=2\b[^>]*>; rel="next"', link) and 'rel="last"' in link,
                (status, link, body))
        status, body = srv.request("GET", base + "?per_page=2&page=2", root)
        link = srv.last_headers.get("Link", "")
        page2 = json.loads(body)
        r.check("page 2 of 2", status == 200 and [d["id"] for d in page2] == [every[2]["id"]] and
                'rel="prev"' in link and 'rel="next"' not in link, (status, link, body))
        r.check("each page has its own attempts",
                [len(d["attempt_log"]) for d in page1 + page2] == [len(d["attempt_log"]) for d in every]
                and every[0]["attempt_log"][0]["response_code"] == 500, every)
        status, _ = srv.request("GET", base + "?per_page=2&page=3", root)
        r.check("past the last page: 404", status == 404, status)
        out = env.run("webhook", "deliveries", str(hook), "--limit", "1").stdout.decode()
        r.check("CLI --limit 1 shows the newest only",
                len(re.findall(r"^\d+  ", out, re.M)) == 1 and out.startswith("%d  " % every[0]["id"]), out)
    finally:
        srv.stop()
        recv.stop()


def still_open(conn):
    """True while the peer has neither closed nor reset the connection."""
    conn.setblocking(False)
    try:
        data = conn.recv(65536, socket.MSG_PEEK)
        return len(data) > 0  # the request, unanswered; b"" would be EOF
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        conn.setblocking(True)


def test_dead_receiver_does_not_block(env, r):
    # Only hooks to the dead receiver and a live one from here on.
    for line in env.run("webhook", "list").stdout.decode().splitlines():
        m = re.match(r"^(\d+) ", line)
        if m:
            env.run("webhook", "remove", m.group(1))
    dead = DeadReceiver()
    live = Receiver()
    live.mode = "ok"
    srv = None
    try:
        env.run("webhook", "add", "--project", "hooks", "--url", "http://127.0.0.1:%d/" % dead.port)
        env.run("webhook", "add", "--project", "hooks", "--url", "http://127.0.0.1:%d/live" % live.port,
                "--events", "patch-created")
        # A long timeout, so that "the POST is still hanging" below holds on
        # a loaded machine; shutdown does not wait for it.
        srv = Serve(env, "--webhook-timeout", "120")
        env.run("parsemail", input=mail("<d1@example.com>", "[PATCH] hooks: two", "hooks.example.org", n=2))
        # The server's dispatcher thread sends on its own; wait (generously)
        # until it is inside a POST the dead receiver holds open.
        deadline = time.time() + 60
        while time.time() < deadline and not dead.accepted:
            time.sleep(0.1)
        r.check("dispatcher thread reached the dead receiver", bool(dead.accepted))
        # While that POST hangs: ingest and the API answer.
        env.run("parsemail", input=mail("<d2@example.com>", "[PATCH] hooks: three", "hooks.example.org", n=3))
        status, patches = srv.json("/api/patches/?project=hooks", timeout=30)
        r.check("API answers while a receiver hangs", status == 200 and
                any(p["msgid"] == "<d2@example.com>" for p in patches), status)
        r.check("...and the POST to the dead receiver was still open meanwhile",
                still_open(dead.accepted[0]) if dead.accepted else False)
        # The live receiver still gets its patch-created events from serve.
        deadline = time.time() + 90
        while time.time() < deadline and len(live.requests) < 2:
            time.sleep(0.2)
        got = sorted(json.loads(b)["payload"]["patch"]["msgid"] for _, _, _, b in live.requests)
        r.check("serve's dispatcher delivered to the live receiver",
                got == ["<d1@example.com>", "<d2@example.com>"], got)
    finally:
        if srv:
            srv.stop()
        dead.stop()
        live.stop()


def test_superseding(env, r, tmp):
    env.run("project", "create", "--linkname", "sup", "--name", "Sup", "--listid", "sup.example.org",
            "--listemail", "sup@example.org")
    out = env.run("project", "show", "sup").stdout.decode()
    r.check("superseding is off by default", "supersede_revisions: no" in out, out)
    env.run("project", "edit", "sup", "--supersede-revisions", "yes")
    out = env.run("project", "show", "sup").stdout.decode()
    r.check("project edit turns it on", "supersede_revisions: yes" in out, out)
    mbox = os.path.join(tmp, "v1v2.mbox")
    with open(mbox, "wb") as f:
        for i, (msgid, subj, date, refs) in enumerate([
                ("<s1-1@example.com>", "[PATCH 1/2] sup: tidy", "Mon, 01 Jan 2024 10:00:00 +0000", None),
                ("<s1-2@example.com>", "[PATCH 2/2] sup: more", "Mon, 01 Jan 2024 10:00:01 +0000",
                 "<s1-1@example.com>"),
                ("<s2-1@example.com>", "[PATCH v2 1/2] sup: tidy", "Tue, 02 Jan 2024 10:00:00 +0000", None),
                ("<s2-2@example.com>", "[PATCH v2 2/2] sup: more", "Tue, 02 Jan 2024 10:00:01 +0000",
                 "<s2-1@example.com>")]):
            f.write(b"From jane@example.com Mon Jan  1 00:00:00 2024\n")
            f.write(mail(msgid, subj, "sup.example.org", date, refs, n=10 + i))
            f.write(b"\n")
    env.run("parsearchive", mbox)
    srv = Serve(env, "--no-webhooks")
    try:
        def states():
            _, ps = srv.json("/api/patches/?project=sup&archived=both")
            return {p["msgid"]: p["state"] for p in ps}
        s = states()
        r.check("parsearchive: v2 supersedes v1",
                s == {"<s1-1@example.com>": "superseded", "<s1-2@example.com>": "superseded",
                      "<s2-1@example.com>": "new", "<s2-2@example.com>": "new"}, s)
        env.run("parsemail", input=mail("<s3-1@example.com>", "[PATCH v3] sup: tidy", "sup.example.org",
                                         "Wed, 03 Jan 2024 10:00:00 +0000", "<s2-1@example.com>", n=20))
        s = states()
        r.check("parsemail: v3 supersedes v2",
                s.get("<s2-1@example.com>") == "superseded" and s.get("<s2-2@example.com>") == "superseded"
                and s.get("<s3-1@example.com>") == "new", s)
        _, events = srv.json("/api/events/?project=sup&category=patch-state-changed")
        r.check("one patch-state-changed event per superseded patch",
                len(events) == 4 and all(e["payload"]["current_state"] == "superseded" and
                                         e["payload"]["previous_state"] == "new" for e in events), events)

        # The project admin page shows and sets it (root is a superuser).
        def token(body):
            m = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body)
            return m.group(1) if m else ""
        web = Browser("http://127.0.0.1:%d" % srv.port)
        _, _, body = web.request("GET", "/user/login/")
        status, _, _ = web.request("POST", "/user/login/", {"username": "root", "password": "root pw",
                                                            "csrfmiddlewaretoken": token(body)})
        _, _, body = web.request("GET", "/admin/project/sup/")
        r.check("admin page shows the setting", 'id="id_supersede_revisions" checked' in body, status)
        fields = {"linkname": "sup", "name": "Sup", "listid": "sup.example.org",
                  "listemail": "sup@example.org", "use_tags": "on", "csrfmiddlewaretoken": token(body)}
        status, _, body = web.request("POST", "/admin/project/sup/", fields)
        out = env.run("project", "show", "sup").stdout.decode()
        r.check("admin page turns it off", "Saved." in body and "supersede_revisions: no" in out, out)
        fields = dict(fields, supersede_revisions="on", csrfmiddlewaretoken=token(body))
        status, _, body = web.request("POST", "/admin/project/sup/", fields)
        out = env.run("project", "show", "sup").stdout.decode()
        r.check("admin page turns it on", "supersede_revisions: yes" in out, out)
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        env = Env(os.path.abspath(a.binary), tmp)
        env.run("project", "create", "--linkname", "hooks", "--name", "Hooks", "--listid",
                "hooks.example.org", "--listemail", "hooks@example.org")
        delivered = test_delivery_retries_and_log(env, r)
        test_api(env, r, delivered)
        test_enable_disable_and_pages(env, r)
        test_dead_receiver_does_not_block(env, r)
        test_superseding(env, r, tmp)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
