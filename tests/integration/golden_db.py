"""Rebuilds the golden state of shared/golden (SETUP.md) with plain SQL, from
the upstream answers themselves: projects, users, people, series, every
patch's list fields, the detail fields (headers/content/diff) of the patches
that have a detail capture, and the checks seen in the captures.

Used by run.py until `patchbay parsearchive` can build the same state; then
the API answers for these rows must equal upstream's bytes."""

import base64
import datetime
import hashlib
import json
import os
import sqlite3
import testdb

STATES = {"new": 1, "under-review": 2, "accepted": 3, "rejected": 4, "rfc": 5,
          "not-applicable": 6, "changes-requested": 7, "awaiting-upstream": 8,
          "superseded": 9, "deferred": 10}
CHECK_STATES = {"pending": 0, "success": 1, "warning": 2, "fail": 3}
ADMIN_TOKEN = "0123456789abcdef0123456789abcdef01234567"
BOB_TOKEN = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"


def micros(iso):
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in iso else "%Y-%m-%dT%H:%M:%S"
    d = datetime.datetime.strptime(iso, fmt).replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def django_hash(password, iterations=1000, salt="goldensalt"):
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return "pbkdf2_sha256$%d$%s$%s" % (iterations, salt, base64.b64encode(dk).decode())


def headers_text(headers):
    """Stored header text that email.parser turns back into `headers`."""
    lines = []
    for name, value in headers.items():
        for v in (value if isinstance(value, list) else [value]):
            lines.append("%s: %s" % (name, v))
    return "\n".join(lines)


def load(db_path, golden):
    http = os.path.join(golden, "http")
    rd = lambda name: json.load(open(os.path.join(http, name), encoding="utf-8"))
    summary = json.load(open(os.path.join(golden, "ingest", "golden-db-after-ingest.json")))
    c = testdb.connect(db_path)
    now = micros("2024-01-01T00:00:00")

    c.execute("INSERT INTO users (id, username, first_name, last_name, email, password, "
              "is_superuser, is_staff, date_joined) VALUES (1, 'admin', 'Ada', 'Admin', "
              "'admin@example.com', ?, 1, 1, ?)", (django_hash("admin"), now))
    c.execute("INSERT INTO users (id, username, email, password, date_joined) VALUES "
              "(2, 'bob', 'bob@example.com', ?, ?)", (django_hash("bob"), now))
    c.execute("INSERT INTO tokens (key, user_id, created) VALUES (?, 1, ?)", (ADMIN_TOKEN, now))
    c.execute("INSERT INTO tokens (key, user_id, created) VALUES (?, 2, ?)", (BOB_TOKEN, now))

    linkname_ids = {}
    for p in rd("projects.json"):
        linkname_ids[p["link_name"]] = p["id"]
        c.execute("INSERT INTO projects (id, linkname, name, listid, listemail, subject_match, "
                  "web_url, scm_url, webscm_url, list_archive_url, list_archive_url_format, "
                  "commit_url_format) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                  (p["id"], p["link_name"], p["name"], p["list_id"], p["list_email"],
                   p["subject_match"], p["web_url"], p["scm_url"], p["webscm_url"],
                   p["list_archive_url"], p["list_archive_url_format"], p["commit_url_format"]))
        for m in p["maintainers"]:
            c.execute("INSERT INTO project_maintainers (user_id, project_id) VALUES (?, ?)",
                      (m["id"], p["id"]))

    person_ids = {}
    for p in rd("people-admin.json"):
        person_ids[p["email"]] = p["id"]
        c.execute("INSERT INTO people (id, email, name) VALUES (?, ?, ?)",
                  (p["id"], p["email"], p["name"]))

    for s in summary["series"]:
        c.execute("INSERT INTO series (id, project_id, name, date, submitter_id, version, total, "
                  "received_total) VALUES (?,?,?,?,?,?,?,?)",
                  (s["id"], linkname_ids[s["project"]], s["name"], micros(s["date"]),
                   person_ids[s["submitter"]], s["version"], s["total"], s["received_total"]))

    numbers = {p["id"]: p.get("number") for p in summary["patches"]}
    details = {}
    for name in os.listdir(http):
        if name.startswith("patch-") and name.endswith(".json") and name[6:-5].isdigit():
            d = rd(name)
            if "id" in d:
                details[d["id"]] = d
    for p in rd("patches.json") + rd("patches-page-2.json"):
        d = details.get(p["id"], {})
        c.execute("INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, "
                  "delegate_id, state_id, archived, hash, commit_ref, pull_url, series_id, number, "
                  "headers, content, diff) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (p["id"], p["project"]["id"], p["msgid"], p["name"], micros(p["date"]),
                   p["submitter"]["id"], p["delegate"]["id"] if p["delegate"] else None,
                   STATES[p["state"]], int(p["archived"]), p["hash"], p["commit_ref"],
                   p["pull_url"], p["series"][0]["id"] if p["series"] else None,
                   numbers.get(p["id"]), headers_text(d.get("headers", {})),
                   d.get("content"), d.get("diff")))

    checks = [(54, ch) for ch in rd("checks-54.json")] + [(55, rd("post-check-55-admin.json"))]
    for patch_id, ch in checks:
        c.execute("INSERT INTO checks (id, patch_id, user_id, date, state, target_url, "
                  "description, context) VALUES (?,?,?,?,?,?,?,?)",
                  (ch["id"], patch_id, ch["user"]["id"], micros(ch["date"]),
                   CHECK_STATES[ch["state"]], ch["target_url"], ch["description"], ch["context"]))
    c.execute("UPDATE data_generation SET generation = generation + 1")
    c.commit()
    c.close()


def apply_capture_writes(db_path, golden):
    """The effects of the captured write exchanges (requests.json 1-12) on a
    freshly ingested golden database, in plain SQL: checks 1-3, bundles 1-2,
    patch 56 under-review and delegated to admin, events 193-197 (SETUP.md,
    "State before the git-pw transcript"). For servers or tests that replay
    only the read exchanges."""
    http = os.path.join(golden, "http")
    rd = lambda name: json.load(open(os.path.join(http, name), encoding="utf-8"))
    c = testdb.connect(db_path)
    base = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000000)
    checks = [(54, rd("post-check-54-admin.json")), (55, rd("post-check-55-admin.json")),
              (54, rd("post-check-54-admin-2.json"))]
    for i, (patch_id, ch) in enumerate(checks):
        c.execute("INSERT INTO checks (id, patch_id, user_id, date, state, target_url, "
                  "description, context) VALUES (?,?,?,?,?,?,?,?)",
                  (ch["id"], patch_id, ch["user"]["id"], base + i * 1000,
                   CHECK_STATES[ch["state"]], ch["target_url"], ch["description"], ch["context"]))
    for name in ("post-bundle-public.json", "post-bundle-private.json"):
        b = rd(name)
        c.execute("INSERT INTO bundles (id, owner_id, project_id, name, public) VALUES (?,?,?,?,?)",
                  (b["id"], b["owner"]["id"], b["project"]["id"], b["name"], int(b["public"])))
        for pos, p in enumerate(b["patches"], 1):
            c.execute("INSERT INTO bundle_patches (bundle_id, patch_id, position) VALUES (?,?,?)",
                      (b["id"], p["id"], pos))
    c.execute("UPDATE patches SET state_id = ?, delegate_id = 1 WHERE id = 56",
              (STATES["under-review"],))
    events = [("check-created", 54, {"created_check_id": 1}),
              ("check-created", 55, {"created_check_id": 2}),
              ("check-created", 54, {"created_check_id": 3}),
              ("patch-state-changed", 56, {"previous_state_id": 1, "current_state_id": 2}),
              ("patch-delegated", 56, {"current_delegate_id": 1})]
    first = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM events").fetchone()[0]
    for i, (category, patch_id, cols) in enumerate(events):
        names = ", ".join(["id", "project_id", "category", "date", "actor_id", "patch_id"] + list(cols))
        values = [first + i, 2, category, base + 10000 + i * 1000, 1, patch_id] + list(cols.values())
        c.execute("INSERT INTO events (%s) VALUES (%s)" % (names, ",".join("?" * len(values))), values)
    c.execute("UPDATE data_generation SET generation = generation + 1")
    c.commit()
    c.close()
