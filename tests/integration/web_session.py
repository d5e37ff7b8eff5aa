#!/usr/bin/env python3
"""Web login and session authentication against the real binary, as a
browser would use them (urllib with a cookie jar, Python stdlib only):
login form with CSRF, profile, token generation, the REST API with the
session cookie (PATCH with and without X-CSRFToken), the browsable API's
forms, and logout.

usage: web_session.py --binary build/patchbay
Last line: "N passed, M failed"; exit status 1 on any failure."""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "correct horse"
MAIL = b"""From: Pat Submitter <pat@example.com>
To: web@lists.example.org
List-Id: <web.lists.example.org>
Subject: [PATCH] web: a patch to review
Date: Mon, 01 Jan 2024 10:00:00 +0000
Message-Id: <web-session-1@example.com>

A patch.

---
diff --git a/f b/f
--- a/f
+++ b/f
@@ -1 +1 @@
-a
+b
"""


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402  (one pass/fail counter for the integration scripts)
import testdb


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and urllib, not following redirects (so they can be checked)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def request(self, method, path, data=None, headers=None):
        body = None
        headers = dict(headers or {})
        if isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = json.dumps(data).encode()
            headers.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd), r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        db = testdb.new_url(tmp, "web.db")
        pb = [args.binary]
        run(pb + ["migrate", "--database", db])
        run(pb + ["project", "create", "--database", db, "--linkname", "web", "--name", "Web",
                  "--listid", "web.lists.example.org", "--listemail", "web@lists.example.org"])
        run(pb + ["user", "create", "--database", db, "--username", "maria", "--email",
                  "maria@example.com", "--password", PASSWORD, "--maintainer", "web"])
        run(pb + ["parsemail", "--database", db], input=MAIL)
        srv = subprocess.Popen(pb + ["serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            m = re.match(r"patchbay: serving on (http://127\.0\.0\.1:\d+)/", line)
            if not m:
                sys.exit("server did not start: %r" % line)
            scenario(m.group(1), r)
        finally:
            srv.send_signal(signal.SIGTERM)
            srv.wait(timeout=30)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


def scenario(base, r):
    b = Browser(base)

    # The login page sets the CSRF cookie and carries the token in the form.
    status, headers, body = b.request("GET", "/user/login/?next=/project/web/list/")
    r.check("login page", status == 200 and 'name="csrfmiddlewaretoken"' in body, status)
    r.check("login page navbar", '<a href="/user/login/">login</a>' in body)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body).group(1)
    r.check("csrf cookie set", b.cookie("csrftoken") is not None and len(form_token) == 64)

    # A POST without the token is Django's CSRF failure page.
    status, _, body = b.request("POST", "/user/login/", {"username": "maria", "password": PASSWORD})
    r.check("login without csrf token", status == 403 and "CSRF verification failed" in body, status)
    r.check("no session after refused login", b.cookie("sessionid") is None)

    status, _, body = b.request("POST", "/user/login/", {
        "username": "maria", "password": "wrong", "csrfmiddlewaretoken": form_token})
    r.check("bad password", status == 200 and "Please enter a correct username and password. "
            "Note that both fields may be case-sensitive." in body, status)
    r.check("bad password keeps username", 'value="maria"' in body)

    csrf_before = b.cookie("csrftoken")
    status, headers, _ = b.request("POST", "/user/login/?next=/project/web/list/", {
        "username": "maria", "password": PASSWORD, "csrfmiddlewaretoken": form_token})
    r.check("login redirects to next", status == 302 and headers["Location"] == "/project/web/list/",
            (status, headers.get("Location")))
    cookies = headers.get_all("Set-Cookie") or []
    session_cookie = [c for c in cookies if c.startswith("sessionid=")]
    r.check("session cookie attributes", len(session_cookie) == 1 and
            all(a in session_cookie[0] for a in ("HttpOnly", "Max-Age=1209600", "Path=/", "SameSite=Lax")),
            cookies)
    r.check("csrf secret rotated at login", b.cookie("csrftoken") not in (None, csrf_before))
    session_id = b.cookie("sessionid")

    # Every page's navbar knows who is logged in.
    status, _, body = b.request("GET", "/project/web/list/")
    r.check("navbar logged in", status == 200 and "Logged in as" in body and "<strong>maria</strong>" in body)

    # Profile: username, e-mail, no token yet; then generate one.
    status, _, body = b.request("GET", "/user/")
    r.check("profile", status == 200 and ">maria<" in body and "maria@example.com" in body, status)
    r.check("profile offers token generation", 'value="Generate token"' in body)
    token = re.search(r'action="/user/generate-token/"><input type="hidden" name="csrfmiddlewaretoken" '
                      r'value="(\w+)"', body).group(1)
    status, headers, _ = b.request("POST", "/user/generate-token/", {"csrfmiddlewaretoken": token})
    r.check("generate token redirects to profile", status == 302 and headers["Location"] == "/user/", status)
    status, _, body = b.request("GET", "/user/")
    m = re.search(r'id="token"[^>]* value="([0-9a-f]{40})"', body)
    r.check("token shown", m is not None and 'value="Regenerate token"' in body)
    if m:
        anon = Browser(base)
        status, _, body = anon.request("GET", "/api/users/", headers={"Authorization": "Token " + m.group(1)})
        r.check("generated token works", status == 200 and '"username":"maria"' in body, status)

    # The REST API with the session: reads, then writes with and without CSRF.
    status, _, body = b.request("GET", "/api/users/")
    r.check("api session read", status == 200 and '"username":"maria"' in body, status)
    status, _, body = b.request("PATCH", "/api/patches/1/", {"state": "accepted"})
    r.check("api PATCH without csrf header", status == 403 and
            json.loads(body) == {"detail": "CSRF Failed: CSRF token missing."}, (status, body))
    status, _, body = b.request("PATCH", "/api/patches/1/", {"state": "accepted"},
                                headers={"X-CSRFToken": "x" * 32})
    r.check("api PATCH with wrong csrf header", status == 403 and json.loads(body) == {
        "detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."}, (status, body))
    status, _, body = b.request("PATCH", "/api/patches/1/", {"state": "accepted"},
                                headers={"X-CSRFToken": b.cookie("csrftoken")})
    r.check("api PATCH with session + csrf", status == 200 and json.loads(body)["state"] == "accepted",
            (status, body[:200]))

    # The browsable page: the raw-data form and the token for its script.
    status, _, body = b.request("GET", "/api/patches/1/?format=api")
    r.check("browsable page logged in", status == 200 and 'class="raw-form"' in body and
            '<span class="username">maria</span>' in body and "Log out" in body, status)
    page_token = re.search(r'csrfToken: "(\w+)"', body).group(1)
    status, _, body = b.request("PATCH", "/api/patches/1/?format=api", {"state": "new"},
                                headers={"X-CSRFToken": page_token, "Accept": "text/html"})
    r.check("browsable page token works", status == 200 and "&quot;state&quot;: &quot;new&quot;" in body, status)
    anon = Browser(base)
    status, _, body = anon.request("GET", "/api/patches/1/?format=api")
    r.check("browsable page anonymous", status == 200 and 'class="raw-form"' not in body and
            ">Log in</a>" in body, status)

    # Logout: GET is refused, POST with the token ends the session.
    status, _, _ = b.request("GET", "/user/logout/")
    r.check("logout by GET refused", status == 405, status)
    status, _, body = b.request("GET", "/user/")
    token = re.search(r'action="/user/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"',
                      body).group(1)
    status, headers, _ = b.request("POST", "/user/logout/", {"csrfmiddlewaretoken": token})
    r.check("logout redirects home", status == 302 and headers["Location"] == "/", status)
    r.check("session cookie deleted", b.cookie("sessionid") is None)
    status, headers, _ = b.request("GET", "/user/")
    r.check("profile needs login again", status == 302 and
            headers["Location"] == "/user/login/?next=/user/", (status, headers.get("Location")))
    old = Browser(base)
    status, headers, _ = old.request("GET", "/api/users/", headers={"Cookie": "sessionid=" + session_id})
    r.check("old session is dead", status == 403, status)
    r.check("dead session cookie deleted",
            'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT' in (headers.get("Set-Cookie") or ""))

    # Log in with the e-mail address instead of the username.
    status, _, body = b.request("GET", "/user/login/")
    form_token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body).group(1)
    status, headers, _ = b.request("POST", "/user/login/", {
        "username": "Maria@Example.com", "password": PASSWORD, "csrfmiddlewaretoken": form_token,
        "next": "https://evil.example/"})
    r.check("email login, unsafe next ignored", status == 302 and headers["Location"] == "/user/",
            (status, headers.get("Location")))


if __name__ == "__main__":
    sys.exit(main())
