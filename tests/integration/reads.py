"""Read-side tests of `patchbay serve` for the resources beyond projects,
people and patches (run by run.py on a server and database of their own):
users, covers, series, comments, checks, bundles and events, against the
captured golden exchanges on the golden state built by the real ingestion
(golden_ingest.py) plus the effects of the captured writes
(golden_db.apply_capture_writes), then filters, versions and errors.

Allowed differences from the captured bytes, and nothing else: server-clock
dates (checks, events) and the `url` of API 1.3 comments, which v3.2.1 adds
and the v3.1.3 capture lacks (shared/golden/README.md)."""

import json
import os
import re

import golden_db
import golden_ingest
import testdb

IN_SCOPE = re.compile(r"^/api/(1\.\d/)?(users/|covers/|series/|events/|bundles/|"
                      r"patches/\d+/(comments|checks)/)")
CLOCK_DATE = re.compile(rb'"date":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"')
COMMENT_URL = re.compile(rb'"url":"[^"]*/comments/\d+/",')


def normalise(path, body):
    if "/comments/" in path:
        body = COMMENT_URL.sub(b"", body)
    if "/events/" in path or "/checks/" in path:
        body = CLOCK_DATE.sub(b'"date":"<clock>"', body)
    return body


def replay(srv, golden, auth, r):
    manifest = json.load(open(os.path.join(golden, "http", "requests.json")))
    n = 0
    for e in manifest:
        if e["method"] != "GET" or not IN_SCOPE.match(e["path"]):
            continue
        n += 1
        headers = {"Accept": "*/*", "User-Agent": "pwref-capture/1"}
        if e["auth"]:
            headers["Authorization"] = auth[e["auth"]]
        status, got_headers, body = srv.request("GET", e["path"], headers)
        want = open(os.path.join(golden, "http", e["file"]), "rb").read()
        # Content-Length follows the body, compared below (the comment `url`
        # makes it differ); everything else, in order, is upstream's.
        want_headers = [tuple(h) for h in e["response_headers"] if h[0] != "Content-Length"]
        length = [v for k, v in got_headers if k == "Content-Length"]
        got_headers = [h for h in got_headers if h[0] != "Content-Length"]
        r.check("reads golden %s status" % e["name"], status == e["status"], "%s" % status)
        r.check("reads golden %s headers" % e["name"], got_headers == want_headers and
                length == [str(len(body))], "\n  got  %s\n  want %s" % (got_headers, want_headers))
        got, want = normalise(e["path"], body), normalise(e["path"], want)
        detail = ""
        if got != want:
            try:
                g, w = json.loads(got), json.loads(want)
                if isinstance(g, list) and isinstance(w, list):
                    diff = [i for i, (a, b) in enumerate(zip(g, w)) if a != b]
                    detail = "items %s differ, lengths %d/%d" % (diff[:5], len(g), len(w))
                elif isinstance(g, dict) and isinstance(w, dict):
                    detail = "keys %s" % [k for k in set(g) | set(w) if g.get(k) != w.get(k)][:8]
            except ValueError:
                detail = got[:200]
        r.check("reads golden %s body" % e["name"], got == want, detail)
    r.check("reads golden exchanges found", n == 43, "%d" % n)


def behaviour(srv, auth, r):
    def get(path, who=None):
        headers = {"Authorization": auth[who]} if who else {}
        st, h, b = srv.request("GET", path, headers)
        return st, dict(h), b

    def ids(path, who=None):
        st, h, b = get(path, who)
        return [x["id"] for x in json.loads(b)] if st == 200 else st

    # Versions: comment lists from 1.1, comment details from 1.3.
    st, h, b = get("/api/1.0/patches/55/comments/")
    r.check("comments list < 1.1 -> HTML 404", st == 404 and h["Content-Type"].startswith("text/html"))
    st, h, b = get("/api/1.2/covers/8/comments/2/")
    r.check("comment detail < 1.3 -> HTML 404", st == 404 and h["Content-Type"].startswith("text/html"))
    st, h, b = get("/api/1.3/covers/8/comments/2/")
    r.check("comment detail 1.3 url", st == 200 and json.loads(b)["url"].endswith("/api/1.3/covers/8/comments/2/"))
    st, h, b = get("/api/covers/1/comments/2/")
    r.check("comment of another cover -> 404", st == 404 and b == b'{"detail":"Not found."}')
    st, h, b = get("/api/1.1/patches/55/comments/")
    c = json.loads(b)[0]
    r.check("comment 1.1 fields", list(c) == ["id", "web_url", "msgid", "date", "subject", "submitter",
                                              "content", "headers"], list(c))
    st, h, b = get("/api/1.0/covers/8/")
    r.check("cover 1.0 fields", st == 200 and "mbox" not in json.loads(b) and "comments" not in json.loads(b))
    st, h, b = get("/api/1.4/series/36/")
    r.check("series 1.4 without show_dependencies", st == 200 and "dependencies" not in json.loads(b))
    # Users.
    st, h, b = get("/api/users/2/", "admin-token")
    r.check("user settings only for self", st == 200 and "settings" not in json.loads(b))
    st, h, b = get("/api/1.1/users/1/", "admin-token")
    r.check("user settings only >= 1.2", st == 200 and "settings" not in json.loads(b))
    st, h, b = get("/api/users/1/")
    r.check("user detail needs auth", st == 403)
    # Filters.
    r.check("covers series filter", ids("/api/covers/?series=36") == [8])
    r.check("covers unknown series", ids("/api/covers/?series=999") == [])
    r.check("covers order -date", ids("/api/covers/?order=-date&per_page=3") == [8, 2, 3])
    r.check("series submitter filter", len(ids("/api/series/?submitter=pwref@example.com")) == 1)
    r.check("series since", ids("/api/series/?since=2023-01-01T00:00:00") == [36])
    r.check("checks state code", ids("/api/patches/54/checks/?state=3") == [3])
    r.check("checks state label -> []", ids("/api/patches/54/checks/?state=fail") == [])
    r.check("checks unknown patch", ids("/api/patches/999/checks/") == 404)
    r.check("check of another patch", ids("/api/patches/55/checks/1/") == 404)
    r.check("bundles anon public only", ids("/api/bundles/") == [1])
    r.check("bundles bob public only", ids("/api/bundles/", "bob-token") == [1])
    r.check("bundles admin own + public", ids("/api/bundles/", "admin-token") == [1, 2])
    r.check("bundle hidden from bob", ids("/api/bundles/2/", "bob-token") == 404)
    r.check("bundles public filter", ids("/api/bundles/?public=false", "admin-token") == [2])
    r.check("events category", len(ids("/api/events/?category=patch-created&per_page=100")) == 56)
    r.check("events bad category", ids("/api/events/?category=bogus") == [])
    r.check("events actor", ids("/api/events/?actor=1") == [197, 196, 195, 194, 193])
    r.check("events actor by name -> []", ids("/api/events/?actor=admin") == [])
    r.check("events < 1.3 without comment events",
            len(ids("/api/1.2/events/?per_page=250")) == 190 and len(ids("/api/events/?per_page=250")) == 197)
    r.check("events order=date", ids("/api/events/?order=date&per_page=2") == [1, 2])
    r.check("events cover filter", ids("/api/events/?cover=8") == [191, 182])
    st, h, b = get("/api/events/?page=99")
    r.check("events bad page", st == 404 and b == b'{"detail":"Invalid page."}')
    st, h, b = srv.request("HEAD", "/api/series/36/")
    st2, h2, b2 = srv.request("GET", "/api/series/36/")
    r.check("HEAD series = GET headers", st == 200 and h == h2 and b == b"")


def run(binary, tmp, golden, Server, r):
    url = testdb.new_url(tmp, "reads.db")
    golden_ingest.build(os.path.abspath(binary), url, os.path.join(golden, ".."))
    golden_db.apply_capture_writes(url, golden)
    auth = {"admin-token": "Token " + golden_db.ADMIN_TOKEN, "bob-token": "Token " + golden_db.BOB_TOKEN}
    srv = Server(binary, url)
    try:
        replay(srv, golden, auth, r)
        behaviour(srv, auth, r)
    finally:
        srv.stop()
