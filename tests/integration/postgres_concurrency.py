#!/usr/bin/env python3
"""Several processes on one PostgreSQL database (issue #12, section 2).

* 4 parsearchive processes fed the quarters of a real archive at once end
  with the rows a sequential ingest of the whole archive gives: the same
  patches, covers and comments, no duplicates, and the same grouping of
  patches into series;
* 4 MTA-style ingesters (one parsemail process per mail) likewise;
* an ingester killed with SIGKILL half-way, then re-run, loses and
  duplicates nothing;
* two `serve` processes on one database see each other's writes at once
  (their data_generation caches stay exact across processes).

Runs only when the suite runs on PostgreSQL (PATCHBAY_TEST_DATABASE);
skipped (77) otherwise, and without ../shared or zstd.

usage: postgres_concurrency.py --binary build/patchbay --shared ../shared
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import testdb
from run import Results

LIST_ID = "linuxppc-dev.lists.ozlabs.org"
MAILS = 1200  # of the archive's 5,000: enough series crossing quarter borders, a few seconds each


def split_mbox(data):
    """Raw messages of an mbox, each starting with its From_ line."""
    parts = re.split(rb"(?m)^(?=From \S+ )", data)
    return [p for p in parts if p.startswith(b"From ")]


def pb(binary, db, *args, stdin=None, check=True):
    r = subprocess.run([binary, *args, "--database", db], input=stdin, capture_output=True, timeout=600)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (args[0], r.returncode, r.stderr.decode()[-500:]))
    return r


def new_db(binary, name):
    db = testdb.create_database(name)
    pb(binary, db, "project", "create", "--linkname", "linuxppc-dev", "--name", "linuxppc-dev",
       "--listid", LIST_ID, "--listemail", "linuxppc-dev@lists.ozlabs.org")
    return db


def state(db):
    """What must not depend on delivery order."""
    c = testdb.connect(db)
    q = lambda sql: c.execute(sql).fetchall()
    out = {
        "patches": sorted(r[0] for r in q("SELECT msgid FROM patches")),
        "covers": sorted(r[0] for r in q("SELECT msgid FROM covers")),
        "patch_comments": sorted(r[0] for r in q("SELECT msgid FROM patch_comments")),
        "cover_comments": sorted(r[0] for r in q("SELECT msgid FROM cover_comments")),
        "failed": q("SELECT COUNT(*) FROM failed_mails")[0][0],
    }
    groups = {}
    for msgid, series in q("SELECT msgid, series_id FROM patches"):
        groups.setdefault(series, []).append(msgid)
    for msgid, series in q("SELECT c.msgid, s.id FROM covers c JOIN series s ON s.cover_letter_id = c.id"):
        groups.setdefault(series, []).append(msgid)
    out["series"] = sorted(sorted(g) for g in groups.values())
    out["dup_patches"] = q("SELECT COUNT(*) FROM (SELECT msgid FROM patches GROUP BY msgid "
                           "HAVING COUNT(*) > 1) d")[0][0]
    out["empty_series"] = q("SELECT COUNT(*) FROM series s WHERE NOT EXISTS "
                            "(SELECT 1 FROM patches p WHERE p.series_id = s.id) AND cover_letter_id IS NULL")[0][0]
    c.close()
    return out


def same(r, name, got, want):
    """Patches, covers and series as the sequential ingest made them, and the
    same replies stored. Which parent a reply hangs on may differ: one that
    names both a patch and its cover letter, arriving when only the cover is
    in, becomes a cover comment, as it would in a sequential delivery in
    that order."""
    diffs = [k for k in want if got[k] != want[k] and not k.endswith("_comments")]
    comments = lambda s: sorted(s["patch_comments"] + s["cover_comments"])
    if comments(got) != comments(want):
        diffs.append("comments")
    detail = {k: (len(got[k]) if isinstance(got[k], list) else got[k],
                  len(want[k]) if isinstance(want[k], list) else want[k]) for k in diffs if k in want}
    moved = len(set(got["cover_comments"]) - set(want["cover_comments"]))
    print("%s: %d replies on a cover letter instead of a patch" % (name, moved))
    r.check(name, not diffs, (diffs, detail))


def write_mbox(path, mails):
    with open(path, "wb") as f:
        for m in mails:
            f.write(m if m.endswith(b"\n") else m + b"\n")


def parallel_archives(binary, tmp, mails, reference, r):
    db = new_db(binary, "par_archive")
    quarters = [mails[i * len(mails) // 4:(i + 1) * len(mails) // 4] for i in range(4)]
    paths = []
    for i, q in enumerate(quarters):
        paths.append(os.path.join(tmp, "q%d.mbox" % i))
        write_mbox(paths[-1], q)
    t = time.time()
    procs = [subprocess.Popen([binary, "parsearchive", "--database", db, p],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in paths]
    codes = [p.wait(timeout=600) for p in procs]
    print("4 parsearchive at once: %.1f s" % (time.time() - t))
    r.check("4 parallel parsearchive exit 0", codes == [0, 0, 0, 0], codes)
    got = state(db)
    r.check("parallel archives: no duplicate patches", got["dup_patches"] == 0, got["dup_patches"])
    same(r, "parallel archives = sequential ingest", got, reference)


def parallel_parsemail(binary, mails, r):
    """The MTA case: one process per mail, four deliveries at a time."""
    few = mails[:80]
    seq = new_db(binary, "seq_mail")
    for m in few:
        pb(binary, seq, "parsemail", stdin=m, check=False)
    reference = state(seq)
    db = new_db(binary, "par_mail")
    quarters = [few[i::4] for i in range(4)]

    def deliver(q):
        return [pb(binary, db, "parsemail", stdin=m, check=False).returncode for m in q]

    with ThreadPoolExecutor(4) as ex:
        codes = sum(ex.map(deliver, quarters), [])
    r.check("4 parallel parsemail: no temporary failures", 75 not in codes, codes.count(75))
    got = state(db)
    r.check("parallel parsemail: no duplicate patches", got["dup_patches"] == 0, got["dup_patches"])
    replies = lambda st: set(st["patch_comments"] + st["cover_comments"])
    r.check("parallel parsemail: the same replies", replies(got) == replies(reference),
            ("only parallel:", sorted(replies(got) - replies(reference)),
             "only sequential:", sorted(replies(reference) - replies(got))))
    for key in ("patches", "covers", "failed"):
        r.check("parallel parsemail: same %s" % key, got[key] == reference[key],
                (got[key] if isinstance(got[key], int) else len(got[key]),
                 reference[key] if isinstance(reference[key], int) else len(reference[key])))
    r.check("parallel parsemail: no series without patches", got["empty_series"] == 0, got["empty_series"])


def killed_and_rerun(binary, tmp, mails, reference, r):
    db = new_db(binary, "killed")
    path = os.path.join(tmp, "all.mbox")
    write_mbox(path, mails)
    p = subprocess.Popen([binary, "parsearchive", "--database", db, path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill once some batches are in but not all.
    c = testdb.connect(db)
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        n = c.execute("SELECT COUNT(*) FROM patches").fetchone()[0]
        c.commit()
        if n >= 100:
            break
        time.sleep(0.05)
    killed = p.poll() is None
    p.send_signal(signal.SIGKILL)
    p.wait()
    partial = c.execute("SELECT COUNT(*) FROM patches").fetchone()[0]
    c.close()
    r.check("ingester killed half-way", killed and 0 < partial < len(reference["patches"]),
            (killed, partial))
    pb(binary, db, "parsearchive", path, check=False)
    # The re-run meets every mail again: those stored are duplicates, and a
    # reply that came before its patch now finds it. Nothing lost, nothing twice.
    got = state(db)
    r.check("killed + re-run: no duplicate patches", got["dup_patches"] == 0)
    diffs = [k for k in reference if got[k] != reference[k] and not k.endswith("_comments")]
    if not set(got["patch_comments"] + got["cover_comments"]) >= set(
            reference["patch_comments"] + reference["cover_comments"]):
        diffs.append("comments")
    r.check("killed + re-run = sequential ingest, comments included", not diffs, diffs)


def http(base, path, method="GET", body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Token " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start_server(binary, db):
    p = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.search(r"(http://\S+)/", line)
    if not m:
        p.kill()
        raise RuntimeError("serve did not start: " + line + p.stderr.read())
    return p, m.group(1)


def two_servers(binary, mails, r):
    db = new_db(binary, "two_servers")
    pb(binary, db, "user", "create", "--username", "admin", "--email", "admin@example.com",
             "--password", "pw", "--superuser").stdout.decode()
    token = pb(binary, db, "user", "token", "admin").stdout.decode().strip().split()[-1]
    with testdb.connect(db) as c:  # patch edits need a maintainer
        c.execute("INSERT INTO project_maintainers (user_id, project_id) "
                  "SELECT u.id, p.id FROM users u, projects p")
    servers = [start_server(binary, db) for _ in range(2)]
    try:
        (_, a), (_, b) = servers
        count = lambda base: len(json.loads(http(base, "/api/patches/?per_page=500")[1]))
        # Warm both servers' caches (counts, pages, whole responses).
        for _ in range(3):
            r.check("empty list on both", count(a) == 0 and count(b) == 0)
        patches = [m for m in mails if b"[PATCH" in m.split(b"\n\n", 1)[0]][:5]
        for i, m in enumerate(patches, 1):
            pb(binary, db, "parsemail", stdin=m)
            seen = (count(a), count(b))
            r.check("ingest %d seen by both servers at once" % i, seen == (i, i), seen)
        # A write through server A is seen by server B's next request.
        pid = json.loads(http(b, "/api/patches/?per_page=1")[1])[0]["id"]
        st, body = http(a, "/api/patches/%d/" % pid, "PATCH", {"state": "accepted"}, token)
        r.check("PATCH via server A", st == 200, (st, body[:200]))
        st, body = http(b, "/api/patches/%d/" % pid)
        r.check("server B sees A's write", st == 200 and json.loads(body)["state"] == "accepted", body[:200])
        st, body = http(b, "/api/patches/?state=accepted")
        r.check("server B's filtered list sees A's write",
                st == 200 and [p["id"] for p in json.loads(body)] == [pid], body[:200])
    finally:
        for p, _ in servers:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    archive = os.path.join(a.shared, "corpus/real-lists/linuxppc-dev-first5k.mbox.zst")
    if not testdb.is_postgres():
        print("skipped: the suite is not running on PostgreSQL (PATCHBAY_TEST_DATABASE)")
        return 77
    if not (os.path.exists(archive) and shutil.which("zstd")):
        print("skipped: ../shared or zstd not present")
        return 77
    binary = os.path.abspath(a.binary)
    mails = split_mbox(subprocess.run(["zstd", "-dc", archive], capture_output=True, check=True).stdout)[:MAILS]
    r = Results()
    with tempfile.TemporaryDirectory(prefix="patchbay-pgconc-") as tmp:
        full = os.path.join(tmp, "all.mbox")
        write_mbox(full, mails)
        seq = new_db(binary, "sequential")
        t = time.time()
        pb(binary, seq, "parsearchive", full)
        print("sequential parsearchive of %d mails: %.1f s" % (len(mails), time.time() - t))
        reference = state(seq)
        r.check("sequential ingest stored patches", len(reference["patches"]) > 100, len(reference["patches"]))
        for step in (lambda: parallel_archives(binary, tmp, mails, reference, r),
                     lambda: killed_and_rerun(binary, tmp, mails, reference, r),
                     lambda: parallel_parsemail(binary, mails, r),
                     lambda: two_servers(binary, mails, r)):
            try:
                step()
            except Exception as e:  # one broken step must not hide the others
                r.check("step raised", False, repr(e))
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
