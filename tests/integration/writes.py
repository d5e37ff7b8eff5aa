"""Write-side tests of `patchbay serve` (run by run.py on its own server and
database, because every test here changes data): the captured write
exchanges of shared/golden byte for byte, a permission matrix (anonymous,
plain user, submitter, delegate, maintainer, superuser x every write),
validation bodies, the bulk update extension, OPTIONS, renderers and the
browsable API page."""

import json
import os
import re
import signal
import sqlite3
import subprocess

import golden_db
import testdb

TOKENS = {
    "admin": golden_db.ADMIN_TOKEN,   # superuser, maintainer of both projects
    "bob": golden_db.BOB_TOKEN,       # plain user
    "sam": "5a" * 20,                 # submitter: linked to person 15 (patches 54-56)
    "dee": "de" * 20,                 # delegate of patch 55
    "mai": "3a" * 20,                 # maintainer of project 2 only
    "root": "00" * 20,                # superuser, maintains nothing
}
CHECK_DATE = re.compile(rb'"date":"[0-9T:.-]+"')


def fresh_db(binary, tmp, golden, name):
    """The golden state before the captured writes, plus the matrix users."""
    db = testdb.new_url(tmp, name)
    subprocess.run([binary, "migrate", "--database", db], check=True,
                   stdout=subprocess.DEVNULL)
    golden_db.load(db, golden)
    c = testdb.connect(db)
    c.execute("DELETE FROM checks")
    c.execute("DELETE FROM bundle_patches")
    c.execute("DELETE FROM bundles")
    c.execute("UPDATE patches SET state_id = 1, delegate_id = NULL WHERE id = 56")
    for uid, name, superuser in ((3, "sam", 0), (4, "dee", 0), (5, "mai", 0), (6, "root", 1)):
        c.execute("INSERT INTO users (id, username, email, is_superuser, date_joined) VALUES "
                  "(?, ?, ?, ?, 0)", (uid, name, name + "@example.com", superuser))
        c.execute("INSERT INTO tokens (key, user_id, created) VALUES (?, ?, 0)", (TOKENS[name], uid))
    c.execute("UPDATE people SET user_id = 3 WHERE id = 15")
    c.execute("INSERT INTO project_maintainers (user_id, project_id) VALUES (5, 2)")
    c.execute("UPDATE patches SET delegate_id = 4 WHERE id = 55")
    # A reply to patch 54 by someone else, and one by the submitter.
    c.execute("INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id, headers, content) "
              "VALUES (1, 54, '<c1@x>', 0, 1, 'Subject: Re: x', 'hi')")
    c.execute("INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id, headers, content) "
              "VALUES (2, 54, '<c2@x>', 0, 15, 'Subject: Re: y', 'me')")
    c.execute("UPDATE data_generation SET generation = generation + 1")
    testdb.restart_ids(c)  # the golden answers number new checks from 1
    c.commit()
    c.close()
    return db


def req(srv, method, path, user=None, body=None, ctype="application/json", headers=None):
    h = {"Accept": "*/*"}
    if user:
        h["Authorization"] = "Token " + TOKENS[user]
    if body is not None:
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if ctype:
            h["Content-Type"] = ctype
    h.update(headers or {})
    return srv.request(method, path, h, body)


def golden_writes(srv, golden, r):
    manifest = json.load(open(os.path.join(golden, "http", "requests.json")))
    for e in manifest:
        if e["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        auth = {"admin-token": "admin", "bob-token": "bob"}.get(e["auth"])
        st, hdrs, body = req(srv, e["method"], e["path"], auth, e["request_body"])
        want = open(os.path.join(golden, "http", e["file"]), "rb").read()
        got_h = [tuple(x) for x in hdrs]
        want_h = [tuple(x) for x in e["response_headers"]]
        r.check("golden write %s status" % e["name"], st == e["status"], st)
        if b'"date":"' in want and "checks" in e["path"]:
            body, want = CHECK_DATE.sub(b'"date":""', body), CHECK_DATE.sub(b'"date":""', want)
            got_h = [h for h in got_h if h[0] != "Content-Length"]
            want_h = [h for h in want_h if h[0] != "Content-Length"]
        r.check("golden write %s headers" % e["name"], got_h == want_h, "\n  got  %s\n  want %s" % (got_h, want_h))
        r.check("golden write %s body" % e["name"], body == want, body[:300])


# Expected status per (write, user). 200/201/204 = allowed.
MATRIX = [
    # name, method, path, body, {user: status}
    ("patch state", "PATCH", "/api/patches/54/", {"state": "rfc"},
     dict(anon=403, bob=403, sam=200, dee=403, mai=200, root=403, admin=200)),
    ("delegated patch", "PATCH", "/api/patches/55/", {"archived": True},
     dict(anon=403, bob=403, sam=200, dee=200, mai=200, root=403, admin=200)),
    ("patch related", "PATCH", "/api/patches/54/", {"related": [56]},
     dict(anon=403, bob=403, sam=403, dee=403, mai=200, root=403, admin=200)),
    ("check", "POST", "/api/patches/54/checks/", {"state": "success"},
     dict(anon=403, bob=403, sam=201, dee=403, mai=201, root=403, admin=201)),
    ("bundle create", "POST", "/api/bundles/", {"name": "b-{user}", "patches": [54]},
     dict(anon=403, bob=201, sam=201, dee=201, mai=201, root=201, admin=201)),
    ("bundle update (admin's public)", "PATCH", "/api/bundles/1/", {"public": True},
     dict(anon=403, bob=403, sam=403, dee=403, mai=403, root=403, admin=200)),
    ("comment addressed (other's)", "PATCH", "/api/patches/54/comments/1/", {"addressed": True},
     dict(anon=403, bob=403, sam=200, dee=403, mai=200, root=403, admin=200)),
    ("comment addressed (own)", "PATCH", "/api/patches/54/comments/2/", {"addressed": False},
     dict(anon=403, bob=403, sam=200, dee=403, mai=200, root=403, admin=200)),
    ("user 3", "PATCH", "/api/users/3/", {"first_name": "Sam"},
     dict(anon=403, bob=403, sam=200, dee=403, mai=403, root=403, admin=403)),
    ("project 2", "PATCH", "/api/projects/2/", {"web_url": "https://example.com/"},
     dict(anon=403, bob=403, sam=403, dee=403, mai=200, root=403, admin=200)),
    ("project 1", "PATCH", "/api/projects/1/", {"web_url": "https://example.com/"},
     dict(anon=403, bob=403, sam=403, dee=403, mai=403, root=403, admin=200)),
]


def permission_matrix(srv, r):
    # bundle 1: admin's public bundle.
    st, _, b = req(srv, "POST", "/api/bundles/", "admin", {"name": "pub", "patches": [54], "public": True})
    r.check("matrix setup bundle", st == 201 and json.loads(b)["id"] == 1, b[:200])
    for name, method, path, body, expect in MATRIX:
        for user, want in expect.items():
            u = None if user == "anon" else user
            data = json.loads(json.dumps(body).replace("{user}", user))
            st, _, b = req(srv, method, path, u, data)
            r.check("matrix %s as %s" % (name, user), st == want, "%s != %s %s" % (st, want, b[:150]))
            if st == 403:
                want_msg = (b"Authentication credentials were not provided." if u is None and
                            "checks" not in path else b"You do not have permission")
                if name == "patch related" and u == "sam":
                    want_msg = b"At least one patch is part of a project you are not maintaining."
                r.check("matrix %s as %s body" % (name, user), want_msg in b, b)
    # A private bundle is invisible (404) to others, DELETE by its owner is 204.
    st, _, b = req(srv, "POST", "/api/bundles/", "bob", {"name": "private", "patches": [1]})
    bid = json.loads(b)["id"]
    st, _, b = req(srv, "PATCH", "/api/bundles/%d/" % bid, "admin", {"public": True})
    r.check("private bundle hidden from others", st == 404, st)
    st, h, b = req(srv, "DELETE", "/api/bundles/%d/" % bid, "bob")
    r.check("bundle delete", st == 204 and b == b"" and "Content-Type" not in dict(h), (st, h))
    # Comment updates raise a fresh *-comment-created event.
    return


def validation(srv, r, db):
    cases = [
        ("PATCH", "/api/patches/54/", {"state": "nope"}, 400,
         b'{"state":["Invalid state nope. Expected one of: new, under-review, accepted, rejected, rfc, '
         b'not-applicable, changes-requested, awaiting-upstream, superseded, deferred."]}'),
        ("PATCH", "/api/patches/54/", {"state": "Under Review"}, 200, None),
        ("PATCH", "/api/patches/54/", {"delegate": 2}, 400,
         b'{"delegate":["User \'bob\' is not a maintainer for project \'Patchwork\'"]}'),
        ("PATCH", "/api/patches/54/", {"delegate": 999}, 400,
         b'{"delegate":["Invalid pk \\"999\\" - object does not exist."]}'),
        ("PATCH", "/api/patches/54/", {"delegate": "bob"}, 400,
         b'{"delegate":["Incorrect type. Expected pk value, received str."]}'),
        ("PATCH", "/api/patches/54/", {"archived": "maybe", "commit_ref": "x" * 256}, 400,
         b'{"commit_ref":["Ensure this field has no more than 255 characters."],'
         b'"archived":["Must be a valid boolean."]}'),
        ("PUT", "/api/patches/54/", {}, 400,
         b'{"state":["This field is required."],"delegate":["This field is required."]}'),
        ("PATCH", "/api/patches/54/", {"related": [1]}, 200, None),
        ("PATCH", "/api/patches/56/", {"related": [2]}, 200, None),
        ("PATCH", "/api/patches/3/", {"related": [4]}, 200, None),
        ("PATCH", "/api/patches/3/", {"related": [56]}, 409,
         b'{"detail":"At least one patch is already part of another relation. You have to explicitly '
         b'remove a patch from its existing relation before moving it to this one."}'),
        ("POST", "/api/patches/54/checks/", {"context": "x"}, 400,
         b'{"state":["A check must have a state."]}'),
        ("POST", "/api/patches/54/checks/", {"state": "success", "target_url": "http://x/", "context": "a b"},
         400, b'{"target_url":["Enter a valid URL."],"context":["Enter a valid \\"slug\\" consisting of '
         b'letters, numbers, underscores or hyphens."]}'),
        ("POST", "/api/bundles/", {"name": "", "patches": []}, 400,
         b'{"name":["This field may not be blank."],"patches":["Bundles cannot be empty"]}'),
        ("POST", "/api/bundles/", {"name": "x", "patches": [1, 54]}, 400,
         b'{"patches":["Bundle patches must belong to the same project"]}'),
        ("POST", "/api/bundles/", {"name": "x"}, 400, b'{"patches":["This field is required."]}'),
        ("POST", "/api/1.1/bundles/", {"name": "x", "patches": [1]}, 405,
         b'{"detail":"Method \\"POST\\" not allowed."}'),
        ("PUT", "/api/users/1/", {"first_name": "A"}, 400, b'{"settings":["This field is required."]}'),
        ("PATCH", "/api/users/1/", {"settings": {"items_per_page": "x"}}, 400,
         b'{"settings":{"items_per_page":["A valid integer is required."]}}'),
        ("PATCH", "/api/patches/54/comments/1/", {"addressed": "x"}, 400,
         b'{"addressed":["Must be a valid boolean."]}'),
        ("PATCH", "/api/1.2/patches/54/comments/1/", {"addressed": True}, 404, None),
        ("DELETE", "/api/patches/54/", None, 405, b'{"detail":"Method \\"DELETE\\" not allowed."}'),
        ("POST", "/api/patches/", {}, 405, b'{"detail":"Method \\"POST\\" not allowed."}'),
    ]
    for method, path, body, status, want in cases:
        st, _, b = req(srv, method, path, "admin", body)
        ok = st == status and (want is None or b == want)
        r.check("validation %s %s %s" % (method, path, json.dumps(body)[:60]), ok, "%s %s" % (st, b[:300]))

    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", "state=new", ctype="text/plain")
    r.check("415", st == 415 and b == b'{"detail":"Unsupported media type \\"text/plain\\" in request."}', b)
    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", b"x=1", ctype="")
    r.check("415 without type", st == 415 and b == b'{"detail":"Unsupported media type \\"\\" in request."}', b)
    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", b"", ctype=None)
    r.check("empty body = no change", st == 200 and json.loads(b)["state"] == "under-review", b[:100])
    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", b"{bad", ctype="application/json")
    r.check("JSON parse error", st == 400 and b.startswith(b'{"detail":"JSON parse error - '), b)
    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", "state=accepted&archived=on",
                   ctype="application/x-www-form-urlencoded")
    d = json.loads(b) if st == 200 else {}
    r.check("form body", d.get("state") == "accepted" and d.get("archived") is True, b[:200])
    mp = (b'--XX\r\nContent-Disposition: form-data; name="state"\r\n\r\nrfc\r\n'
          b'--XX\r\nContent-Disposition: form-data; name="commit_ref"\r\n\r\nabc\r\n--XX--\r\n')
    st, _, b = req(srv, "PATCH", "/api/patches/54/", "admin", mp, ctype="multipart/form-data; boundary=XX")
    d = json.loads(b) if st == 200 else {}
    r.check("multipart body", d.get("state") == "rfc" and d.get("commit_ref") == "abc", b[:200])
    # PATCH answers omit an empty `related`; PUT and GET show it.
    st, _, b = req(srv, "PATCH", "/api/patches/20/", "admin", {"archived": False})
    r.check("PATCH omits empty related", st == 200 and "related" not in json.loads(b), b[:100])
    st, _, b = req(srv, "PUT", "/api/patches/20/", "admin", {"state": "new", "delegate": None})
    r.check("PUT shows related", st == 200 and json.loads(b).get("related") == [], b[:100])
    # Events raised by the writes above.
    c = testdb.connect(db)
    cats = [row[0] for row in c.execute("SELECT category FROM events ORDER BY id")]
    comment_events = c.execute("SELECT COUNT(*) FROM events WHERE category = 'patch-comment-created'").fetchone()[0]
    c.close()
    r.check("events: state changes and relations", "patch-state-changed" in cats and
            "patch-relation-changed" in cats and "check-created" in cats, cats[-10:])
    r.check("events: comment updates re-raise comment-created", comment_events >= 4, comment_events)


def bulk(srv, r, db):
    body = [{"id": 1, "state": "accepted"}, {"id": 2, "archived": True, "commit_ref": "abc"}]
    st, h, b = req(srv, "PATCH", "/api/patches/", "admin", body)
    d = json.loads(b) if st == 200 else []
    r.check("bulk update", st == 200 and [p["id"] for p in d] == [1, 2] and d[0]["state"] == "accepted"
            and d[1]["archived"] is True and d[1]["commit_ref"] == "abc", b[:200])
    r.check("bulk Allow unchanged", dict(h).get("Allow") == "GET, HEAD, OPTIONS", h)
    st, _, b = req(srv, "PATCH", "/api/patches/", "admin",
                   [{"id": 3, "state": "accepted"}, {"id": 4, "state": "nope"}, {"state": "new"}])
    r.check("bulk per-item validation", st == 400 and json.loads(b)[0] == {} and "state" in json.loads(b)[1]
            and json.loads(b)[2] == {"id": ["This field is required."]}, b[:300])
    st, _, b = req(srv, "PATCH", "/api/patches/", "mai", [{"id": 54, "state": "new"}, {"id": 1, "state": "new"}])
    r.check("bulk per-item permission", st == 403 and json.loads(b)[0] == {} and
            "detail" in json.loads(b)[1], b[:300])
    c = testdb.connect(db)
    states = dict(c.execute("SELECT id, state_id FROM patches WHERE id IN (3, 54)").fetchall())
    c.close()
    r.check("bulk failures change nothing", states[3] == 1 and states[54] != 1, states)
    st, _, b = req(srv, "PATCH", "/api/patches/", None, [{"id": 1, "state": "new"}])
    r.check("bulk anonymous", st == 403 and b"Authentication credentials" in b, b)
    st, _, b = req(srv, "PATCH", "/api/patches/", "admin", {"id": 1, "state": "new"})
    r.check("bulk: an object keeps the 405", st == 405, b)


def renderers(srv, r):
    st, h, b = req(srv, "OPTIONS", "/api/patches/54/", "admin")
    d = json.loads(b)
    r.check("OPTIONS actions for editors", st == 200 and "PUT" in d.get("actions", {}) and
            d["actions"]["PUT"]["state"]["required"] is True, b[:300])
    st, h, b = req(srv, "OPTIONS", "/api/patches/54/", "bob")
    r.check("OPTIONS without actions for others", st == 200 and "actions" not in json.loads(b), b[:200])
    st, h, b = req(srv, "OPTIONS", "/api/patches/54/checks/", None)
    r.check("OPTIONS checks POST action", st == 200 and "POST" in json.loads(b).get("actions", {}), b[:200])
    st, h, b = req(srv, "GET", "/api/projects/2/", headers={"Accept": "application/json; indent=2"})
    r.check("indent=2", st == 200 and b.startswith(b'{\n  "id": 2,\n  "url": ') and
            dict(h)["Content-Type"] == "application/json", b[:80])
    st, h, b = req(srv, "GET", "/api/projects/2/?format=json", headers={"Accept": "text/html"})
    r.check("?format=json wins", st == 200 and b.startswith(b'{"id":2,'), b[:80])
    st, h, b = req(srv, "GET", "/api/projects/2/?format=xml")
    r.check("unknown format -> 404", st == 404 and b == b'{"detail":"Not found."}', b)
    st, h, b = req(srv, "GET", "/api/projects/2/", headers={"Accept": "text/plain"})
    r.check("406", st == 406, (st, b))
    for path, user, forms in (("/api/patches/54/?format=api", None, False),
                              ("/api/patches/54/?format=api", "admin", True)):
        st, h, b = req(srv, "GET", path, user)
        text = b.decode()
        r.check("browsable %s %s" % (path, user), st == 200 and
                dict(h)["Content-Type"] == "text/html; charset=utf-8" and "<h1>Patch Detail</h1>" in text
                and "Show a patch." in text and "GET, PUT, PATCH, HEAD, OPTIONS" in text
                and "&quot;id&quot;: 54" in text and
                ('href="http://127.0.0.1:8000/api/patches/54/?format=api"' in text) and
                ('data-method="PUT"' in text) == forms, text[:200])
    st, h, b = req(srv, "GET", "/api/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    r.check("browsable via Accept", st == 200 and b"<h1>Index</h1>" in b, b[:100])
    st, h, b = req(srv, "HEAD", "/api/patches/54/?format=api")
    r.check("browsable HEAD", st == 200 and b == b"", st)


def stop(srv):
    srv.proc.send_signal(signal.SIGTERM)
    try:
        srv.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        srv.proc.kill()


def run(binary, tmp, golden, server_class, r):
    db = fresh_db(binary, tmp, golden, "writes-golden.db")
    srv = server_class(binary, db)
    try:
        golden_writes(srv, golden, r)
    finally:
        stop(srv)
    db = fresh_db(binary, tmp, golden, "writes-matrix.db")
    srv = server_class(binary, db)
    try:
        permission_matrix(srv, r)
        validation(srv, r, db)
        bulk(srv, r, db)
        renderers(srv, r)
    finally:
        stop(srv)
