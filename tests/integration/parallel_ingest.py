#!/usr/bin/env python3
"""Four `parsearchive` processes on the four quarters of a real archive, at
once and last quarter first, must lose no reply: every mail is stored, a
duplicate, deliberately dropped, or held, and the comments are those of an
in-order ingest (issue #9 item 7): every comment under the same patch or
cover letter, every patch and cover letter in a series with the same
members. Skips (77) without ../shared.

usage: parallel_ingest.py --binary build/patchbay --shared ../shared"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
import testdb  # noqa: E402

ARCHIVE = "corpus/real-lists/linuxppc-dev-first5k.mbox.zst"


def setup(binary, db):
    subprocess.run([binary, "migrate", "--database", db], check=True, capture_output=True)
    subprocess.run([binary, "project", "create", "--database", db, "--linkname", "linuxppc-dev",
                    "--name", "linuxppc-dev", "--listid", "linuxppc-dev.lists.ozlabs.org",
                    "--listemail", "linuxppc-dev@lists.ozlabs.org"], check=True, capture_output=True)


def counts(url):
    db = testdb.connect(url)
    q = lambda sql: db.execute(sql).fetchone()[0]
    out = {
        "patches": q("SELECT COUNT(*) FROM patches"),
        "covers": q("SELECT COUNT(*) FROM covers"),
        "comments": q("SELECT (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments)"),
        "comment msgids": q("SELECT COUNT(DISTINCT msgid) FROM (SELECT msgid FROM patch_comments "
                            "UNION ALL SELECT msgid FROM cover_comments) AS m"),
        "held": q("SELECT COUNT(*) FROM held_mails"),
    }
    # Where each comment went, and which mails share a series with which.
    out["comment homes"] = sorted(db.execute(
        "SELECT c.msgid, 'patch ' || p.msgid FROM patch_comments c JOIN patches p ON p.id = c.patch_id "
        "UNION ALL SELECT c.msgid, 'cover ' || v.msgid FROM cover_comments c "
        "JOIN covers v ON v.id = c.cover_id").fetchall())
    members = {}
    for sid, msgid in db.execute(
            "SELECT series_id, msgid FROM patches WHERE series_id IS NOT NULL "
            "UNION ALL SELECT s.id, v.msgid FROM series s JOIN covers v ON v.id = s.cover_letter_id"):
        members.setdefault(sid, []).append(msgid)
    out["series members"] = sorted(tuple(sorted(m)) for m in members.values())
    out["series"] = q("SELECT COUNT(*) FROM series")
    db.close()
    return out


def difference(got, want):
    if not isinstance(want, list):
        return "%s != %s" % (got, want)
    extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    return "%d rows differ; parallel only: %s; in order only: %s" % (
        len(extra) + len(missing), str(extra[:3])[:600], str(missing[:3])[:600])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    archive = os.path.join(args.shared, ARCHIVE)
    if not os.path.exists(archive):
        print("no %s: skipped" % archive)
        return 77
    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        mbox = os.path.join(tmp, "a.mbox")
        subprocess.run(["zstd", "-dq", archive, "-o", mbox], check=True)
        data = open(mbox, "rb").read()
        mails = [p for p in re.split(rb"(?m)^(?=From )", data) if p.startswith(b"From ")]
        quarter = len(mails) // 4 + 1
        parts = []
        for i in range(4):
            p = os.path.join(tmp, "q%d.mbox" % i)
            with open(p, "wb") as f:
                f.write(b"".join(mails[i * quarter:(i + 1) * quarter]))
            parts.append(p)

        seq = testdb.new_url(tmp, "seq.db")
        setup(args.binary, seq)
        subprocess.run([args.binary, "parsearchive", "-q", "--database", seq, mbox],
                       check=True, capture_output=True)

        par = testdb.new_url(tmp, "par.db")
        setup(args.binary, par)
        procs = [subprocess.Popen([args.binary, "parsearchive", "-q", "--database", par, p],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in reversed(parts)]
        for p in procs:
            out, err = p.communicate(timeout=600)
            r.check("parallel parsearchive exit 0", p.returncode == 0, err[-500:])

        want, got = counts(seq), counts(par)
        for key in want:
            r.check("parallel = in order: %s" % key, want[key] == got[key], difference(got[key], want[key]))
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
