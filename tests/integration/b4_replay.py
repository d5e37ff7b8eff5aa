#!/usr/bin/env python3
"""The Patchwork REST calls b4 makes (API pinned to 1.2, Token auth), replayed
as b4 makes them (mricon/b4 src/b4/__init__.py, src/b4/review/): msgid
lookup, the per_page=1 backlog probe read from Link: last, walking Link: next,
series detail, checks, and a state change with PATCH.

usage: b4_replay.py --url http://127.0.0.1:PORT/ --token TOKEN --project LINKNAME
Needs a project holding at least two patches in state new and archived=false.
"""
import argparse
import json
import re
import sys
import urllib.parse
import urllib.request


class Api:
    def __init__(self, base, token):
        self.base = base.rstrip("/") + "/api/1.2/"
        self.token = token

    def call(self, method, path, body=None):
        url = path if path.startswith("http") else self.base + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", "Token " + self.token)
        req.add_header("User-Agent", "b4/0.14")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, json.loads(r.read().decode() or "null")


def links(headers):
    out = {}
    for part in (headers.get("Link") or "").split(", "):
        m = re.match(r'<([^>]+)>; rel="(\w+)"', part)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--project", required=True)
    a = ap.parse_args()
    api = Api(a.url, a.token)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))

    # The backlog probe: per_page=1, the page number of rel="last" is the count.
    q = urllib.parse.urlencode([("project", a.project), ("state", "new"), ("state", "under-review"),
                                ("order", "-date"), ("per_page", "1"), ("archived", "false")])
    st, h, probe = api.call("GET", "patches/?" + q)
    last = links(h).get("last", "")
    m = re.search(r"[?&]page=(\d+)", last)
    backlog = int(m.group(1)) if m else 0
    check("per_page=1 probe has Link: last", st == 200 and backlog >= 2, h.get("Link"))

    # Walk the backlog with rel="next", newest first.
    q = urllib.parse.urlencode([("project", a.project), ("state", "new"), ("state", "under-review"),
                                ("order", "-date"), ("per_page", "2"), ("archived", "false")])
    url, seen = "patches/?" + q, []
    while url:
        st, h, page = api.call("GET", url)
        seen += page
        url = links(h).get("next")
    dates = [p["date"] for p in seen]
    check("walking Link: next visits the whole backlog", len(seen) == backlog, f"{len(seen)} != {backlog}")
    check("order=-date", dates == sorted(dates, reverse=True))

    # msgid -> patch lookup, as b4 does for every patch of a thread.
    target = seen[-1]
    q = urllib.parse.urlencode([("project", a.project), ("archived", "false"),
                                ("msgid", target["msgid"].strip("<>"))])
    st, _, found = api.call("GET", "patches/?" + q)
    check("msgid lookup", st == 200 and [p["id"] for p in found] == [target["id"]], found)
    check("aggregate check field", found and found[0].get("check") in ("pending", "success", "warning", "fail"))

    # Series detail and checks of a patch.
    series = target["series"][0]["id"] if target["series"] else None
    st, _, s = api.call("GET", f"series/{series}/")
    check("series detail lists the patch", st == 200 and target["id"] in [p["id"] for p in s["patches"]])
    st, _, checks = api.call("GET", f"patches/{target['id']}/checks/")
    check("checks list", st == 200 and isinstance(checks, list))

    # b4.pw-review-state: one PATCH per patch.
    st, _, p = api.call("PATCH", f"patches/{target['id']}/", {"state": "under-review"})
    check("PATCH state", st == 200 and p["state"] == "under-review", p)
    st, _, p = api.call("GET", f"patches/{target['id']}/")
    check("state stored", p["state"] == "under-review")

    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
