#!/usr/bin/env python3
"""Helpers of bench/gen_db_1m.sh (Python 3 standard library only).

    gen_db_1m.py series30-mbox -o OUT.mbox [--count 25] [--from T0 --to T1]
        25 thirty-patch series, each sent as v1 and as v2 (in reply to v1's
        cover), with cover letters and review replies, written by
        bench/gen_mbox.py's own generator (same mail shapes as the rest).
    gen_db_1m.py trim TEMPLATE.db --patches 100000
        Deletes whole single-patch series (no cover, no other version) from
        the template until it holds exactly --patches patches, with every row
        that hangs off them (comments, tags, events, references).
    gen_db_1m.py replicate --template TEMPLATE.db --out OUT.db --projects 10 --scratch S.db
        Copies the template's project 1 into projects 1..N of OUT.db (which
        `patchbay migrate` + `patchbay project create` + `patchbay user create`
        made), see the docstring of replicate() for what changes per copy.
    gen_db_1m.py check-json PROJECT_ID URL...
        Fetches API resources and checks that every embedded project, series,
        patch and cover belongs to PROJECT_ID (a smoke test of the copy).
"""

import argparse
import datetime
import hashlib
import json
import os
import sqlite3
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
def series30_mbox(args):
    sys.path.insert(0, HERE)
    import gen_mbox  # noqa: E402  (bench/gen_mbox.py)

    out = open(args.output, "wb", buffering=1 << 20)
    g = gen_mbox.Gen(args.seed, args.list_id)
    g.sink = out
    g.counter = 50_000_000  # msgids never collide with the template's
    span = args.to_ts - args.from_ts
    for i in range(args.count):
        g.t = args.from_ts + (i * span) // args.count + 3600
        author, enc = g.person()
        state = {"author": author, "enc": enc, "n": 30,
                 "titles": [g.title() for _ in range(30)], "tz": g.rng.choice(gen_mbox.TZS),
                 "qp": False, "cover_title": g.title().split(": ", 1)[-1], "trailers": {}}
        cover, state = g.series(None, 1, state)
        g.series(cover, 2, state)
    out.close()
    sys.stderr.write("series30-mbox: %d mails, %d patches, %.1f MB\n" %
                     (g.nmails, g.npatches, g.bytes / 1e6))


# ---------------------------------------------------------------------------
def trim(args):
    con = sqlite3.connect(args.db, isolation_level=None)
    n = con.execute("SELECT count(*) FROM patches").fetchone()[0]
    excess = n - args.patches
    if excess < 0:
        sys.exit("trim: template has only %d patches" % n)
    if excess == 0:
        return
    # executescript() commits first, so the whole deletion is one script.
    con.executescript("""
        BEGIN;
        CREATE TEMP TABLE vs (id INTEGER PRIMARY KEY);
        INSERT INTO vs SELECT s.id FROM series s
        WHERE s.total = 1 AND s.received_total = 1 AND s.cover_letter_id IS NULL
          AND s.previous_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM series n WHERE n.previous_id = s.id)
        ORDER BY s.id %% 3, s.id LIMIT %d;
        CREATE TEMP TABLE vp AS SELECT id FROM patches WHERE series_id IN vs;
        CREATE TEMP TABLE vc AS SELECT id FROM patch_comments WHERE patch_id IN vp;
        DELETE FROM events WHERE patch_id IN vp OR series_id IN vs OR patch_comment_id IN vc;
        DELETE FROM patch_comments WHERE id IN vc;
        DELETE FROM patch_tags WHERE patch_id IN vp;
        DELETE FROM checks WHERE patch_id IN vp;
        DELETE FROM patches WHERE id IN vp;
        DELETE FROM series_references WHERE series_id IN vs;
        DELETE FROM series WHERE id IN vs;
    """ % excess)
    got = con.execute("SELECT count(*) FROM vp").fetchone()[0]
    if got != excess:
        con.execute("ROLLBACK")
        sys.exit("trim: found %d single-patch series, need %d" % (got, excess))
    con.execute("COMMIT")
    left = con.execute("SELECT count(*) FROM patches").fetchone()[0]
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if left != args.patches or bad:
        sys.exit("trim: %d patches left, foreign_key_check: %r" % (left, bad[:5]))
    print("trim: removed %d single-patch series; %d patches left" % (excess, left))


# ---------------------------------------------------------------------------
FIRST = ("Aaron Abby Adam Adrian Aisha Alan Alba Alex Alice Amir Ana Andrea Andrew Anil Anna Arjun "
         "Ben Bianca Boris Brian Carla Carlos Chen Chloe Chris Claire Colin Dan Daniel Dario Dave "
         "Denis Diana Dmitry Elena Eli Emma Eric Eva Fabio Farah Felix Fiona Frank Gabriel Gary "
         "Greg Hana Hans Hiro Ian Igor Ines Ivan Jack Jan Jana Jason Jens Jia Joao John Jonas Jose "
         "Julia Kai Karen Kevin Kim Lars Laura Lea Lee Leo Li Lin Lucas Luis Maja Marc Maria Mark "
         "Marta Max Mei Mike Mina Nadia Neil Nina Omar Oscar Pablo Paul Pedro Petr Priya Rafael "
         "Rahul Ravi Rita Rob Rosa Ryan Sam Sara Sean Sergey Shreya Simon Sofia Stefan Sven Tara "
         "Tom Tomas Uma Victor Vijay Wei Will Yan Yara Yuki Zara Zoe").split()
LAST = ("Abe Adams Ahmed Ali Alvarez Andersen Arora Bauer Becker Berg Brown Bruno Byrne Campbell "
        "Chen Clark Costa Cruz Das Davies Diaz Dubois Dvorak Evans Fischer Fontaine Garcia Gill "
        "Gomez Gupta Hall Hansen Hartmann Hill Horvat Huang Iyer Jansen Jensen Johnson Jones Kang "
        "Kaur Keller Khan Kim Klein Koch Kowalski Kumar Lambert Larsen Lee Lewis Li Lin Lopez Maier "
        "Martin Meyer Miller Moreau Muller Murphy Nagy Nair Nielsen Novak Olsen Ortiz Park Patel "
        "Perez Petrov Popescu Rao Reddy Reyes Richter Rossi Ruiz Sato Schmidt Schulz Shah Silva "
        "Singh Smith Sousa Suzuki Tanaka Taylor Thomas Wagner Walker Wang Weber Wilson Wong Wu "
        "Yamamoto Yang Young Zhang Zhao Zimmermann").split()
DOMAINS = ["example.org", "example.com", "mail.example.net", "corp.example.com", "dev.example.io",
           "kernel.example.org", "lists.example.edu", "linux.example.com"]
STATE_NEW, STATE_REVIEW, STATE_ACCEPTED, STATE_REJECTED, STATE_RFC, STATE_NA, \
    STATE_CHANGES, STATE_UPSTREAM, STATE_SUPERSEDED, STATE_DEFERRED = range(1, 11)
# Share of each final state among patches that are neither new nor superseded.
STATE_MIX = [(STATE_REVIEW, 10), (STATE_ACCEPTED, 55), (STATE_REJECTED, 8), (STATE_CHANGES, 12),
             (STATE_RFC, 3), (STATE_NA, 4), (STATE_UPSTREAM, 3), (STATE_DEFERRED, 5)]


def h32(*xs):
    """Deterministic 32-bit hash of small integers (no Python hash seed)."""
    v = 0x9E3779B9
    for x in xs:
        v = ((v ^ (x & 0xFFFFFFFFFFFF)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        v ^= v >> 29
    return (v * 0xBF58476D1CE4E5B9 >> 32) & 0xFFFFFFFF


def log(msg, t0=[time.time()]):
    print("  [%6.1f s] %s" % (time.time() - t0[0], msg), flush=True)


def replicate(args):
    """Builds OUT from the template (project 1 of TEMPLATE), N times over.

    Per copy k (1..N):
      * ids of patches, covers, series, comments, references and the
        template's events: (id - 1) * N + k, so ids of the projects interleave
        the way they do on a server that receives several lists at once;
      * msgids: <X> becomes <pK.X>, in the columns and in the stored
        Message-Id / In-Reply-To / References headers; To:/List-Id name the
        project's list;
      * dates: the template's 2019-2048 span is mapped linearly onto
        --start..--end (minus the stagger), plus (k - 1) * 13 days; the
        stored Date: header is rewritten to match (same time zone);
      * submitters: one per series (patches, cover and series agree), drawn
        from the template's people (10 %) or a pool of synthetic people;
        commenters likewise per comment; the From: header is rewritten;
      * state, archived, delegate and commit_ref are drawn per series from
        its age (recent series are more often "new") and the hash of
        (series, k); a series that has a later version is "superseded";
      * events keep the template's ingest events (re-dated from the row they
        announce) and add what maintainers and CI would have caused:
        patch-state-changed, patch-delegated, check-created (with checks),
        patch-relation-changed (with relations); all events are then
        numbered in date order.
    """
    K = args.projects
    out = sqlite3.connect(args.out, isolation_level=None)
    out.execute("PRAGMA journal_mode=OFF")
    out.execute("PRAGMA synchronous=OFF")
    out.execute("PRAGMA foreign_keys=OFF")
    out.execute("PRAGMA cache_size=-1000000")
    out.execute("PRAGMA temp_store=FILE")
    out.execute("ATTACH ? AS t", (args.template,))
    if os.path.exists(args.scratch):
        os.remove(args.scratch)
    out.execute("ATTACH ? AS s", (args.scratch,))
    out.execute("PRAGMA s.journal_mode=OFF")
    out.execute("PRAGMA s.synchronous=OFF")

    if out.execute("SELECT count(*) FROM patches").fetchone()[0]:
        sys.exit("replicate: %s already has patches" % args.out)
    if [r[0] for r in out.execute("SELECT id FROM projects ORDER BY id")] != list(range(1, K + 1)):
        sys.exit("replicate: %s must hold projects 1..%d" % (args.out, K))
    tproj = [r[0] for r in out.execute("SELECT DISTINCT project_id FROM t.patches")]
    if tproj != [1]:
        sys.exit("replicate: the template must hold project 1 only, has %r" % tproj)
    # Maintainers (user ids) per project, CI users.
    maint = {}
    for k, uid in out.execute("SELECT project_id, user_id FROM project_maintainers ORDER BY project_id, user_id"):
        maint.setdefault(k, []).append(uid)
    if sorted(maint) != list(range(1, K + 1)):
        sys.exit("replicate: every project needs maintainers")
    ci = [r[0] for r in out.execute("SELECT id FROM users WHERE username LIKE 'ci-%' ORDER BY id")]
    if len(ci) < 2:
        sys.exit("replicate: needs two users named ci-*")

    # ---- date mapping ----------------------------------------------------
    dmin, dmax = out.execute("""
        SELECT min(a), max(b) FROM (
          SELECT min(date) a, max(date) b FROM t.patches UNION ALL
          SELECT min(date), max(date) FROM t.covers UNION ALL
          SELECT min(date), max(date) FROM t.series UNION ALL
          SELECT min(date), max(date) FROM t.patch_comments UNION ALL
          SELECT min(date), max(date) FROM t.cover_comments)""").fetchone()
    start = int(datetime.datetime.fromisoformat(args.start).replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1_000_000)
    end = int(datetime.datetime.fromisoformat(args.end).replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1_000_000)
    stagger = 13 * 86400 * 1_000_000
    scale = (end - start - (K - 1) * stagger) / (dmax - dmin)

    def F(col, k="kk.k"):
        # Whole seconds, as the Date: header they come from.
        return "(%d + CAST((%s - %d) * %r / 1000000 AS INTEGER) * 1000000 + (%s - 1) * %d)" % (
            start, col, dmin, scale, k, stagger)

    def R(col):
        return "((%s - 1) * %d + kk.k)" % (col, K)

    def MSGID(col):
        return "('<p' || kk.k || '.' || substr(%s, 2))" % col

    log("template dates %s .. %s -> %s .. %s (scale %.3f)" % (
        time.strftime("%Y-%m-%d", time.gmtime(dmin / 1e6)),
        time.strftime("%Y-%m-%d", time.gmtime(dmax / 1e6)), args.start, args.end, scale))

    # ---- people ------------------------------------------------------------
    out.execute("BEGIN")
    out.execute("INSERT INTO people (id, email, name, user_id) SELECT id, email, name, NULL "
                "FROM t.people ORDER BY id")
    ntpl = out.execute("SELECT max(id) FROM people").fetchone()[0]
    pool = []
    for i in range(args.people):
        first = FIRST[i % len(FIRST)]
        last = LAST[(i // len(FIRST) + i * 7) % len(LAST)]
        dom = DOMAINS[h32(i, 5) % len(DOMAINS)]
        pool.append((ntpl + 1 + i, "%s.%s%s@%s" % (first.lower(), last.lower(),
                                                    "" if i < len(FIRST) * len(LAST) else i, dom),
                     "%s %s" % (first, last)))
    out.executemany("INSERT INTO people (id, email, name) VALUES (?, ?, ?)", pool)
    out.execute("COMMIT")
    people = {pid: (name, email) for pid, email, name in
              out.execute("SELECT id, email, name FROM people")}

    def pmap(s, g, k):
        """Person for template person s in group g (series or comment) of project k."""
        h = h32(g, k, 17)
        if h % 10 == 0:
            return s
        return ntpl + 1 + (h >> 8) % args.people

    # ---- SQL functions for the stored headers ------------------------------
    def hdr(headers, k, date_us, person):
        if headers is None:
            return None
        lines = headers.split("\n")
        cur = ""
        for i, line in enumerate(lines):
            if line[:1] in (" ", "\t"):
                if cur in ("message-id", "in-reply-to", "references"):
                    lines[i] = line.replace("<", "<p%d." % k)
                continue
            name, sep, value = line.partition(":")
            cur = name.lower()
            if not sep:
                continue
            if cur in ("message-id", "in-reply-to", "references"):
                lines[i] = name + ":" + value.replace("<", "<p%d." % k)
            elif cur == "date":
                tz = value.split()[-1] if value.split() else "+0000"
                try:
                    sign = -1 if tz[0] == "-" else 1
                    minutes = sign * (int(tz[1:3]) * 60 + int(tz[3:5]))
                except (ValueError, IndexError):
                    minutes = 0
                dt = datetime.datetime.fromtimestamp(
                    date_us / 1e6, datetime.timezone(datetime.timedelta(minutes=minutes)))
                lines[i] = "Date: " + dt.strftime("%a, %d %b %Y %H:%M:%S %z")
            elif cur == "from" and person is not None:
                pname, pemail = people[person]
                lines[i] = "From: %s <%s>" % (pname, pemail)
            elif cur in ("to", "list-id", "cc"):
                lines[i] = line.replace("bench@lists.", "proj%d@lists." % k).replace(
                    "<bench.lists.", "<proj%d.lists." % k)
        return "\n".join(lines)

    out.create_function("hdr", 4, hdr, deterministic=True)
    out.create_function("pmap", 3, pmap, deterministic=True)
    # Draws in SQL go through h32 too: with interleaved ids, modular
    # arithmetic on the id alone would correlate with the project.
    out.create_function("h", 2, h32, deterministic=True)
    out.create_function("sha", 2, lambda i, k: hashlib.sha1(b"%d/%d" % (i, k)).hexdigest(),
                        deterministic=True)

    # ---- drop the secondary indexes; rebuilt at the end ---------------------
    indexes = out.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'index' "
                          "AND sql IS NOT NULL ORDER BY rowid").fetchall()
    for name, _ in indexes:
        out.execute("DROP INDEX main.%s" % name)

    out.execute("CREATE TEMP TABLE kk (k INTEGER PRIMARY KEY)")
    out.executemany("INSERT INTO kk VALUES (?)", [(k,) for k in range(1, K + 1)])

    def run(label, sql, params=(), may_sort=False):
        # The copies must stream in insertion order; a sort of 1M wide rows
        # would cost minutes and gigabytes of temp space.
        plan = " ".join(r[3] for r in out.execute("EXPLAIN QUERY PLAN " + sql, params))
        if "TEMP B-TREE" in plan and not may_sort:
            sys.exit("replicate: %s would sort: %s" % (label, plan))
        t = time.time()
        out.execute("BEGIN")
        cur = out.execute(sql, params)
        out.execute("COMMIT")
        log("%-28s %9d rows %6.1f s" % (label, cur.rowcount, time.time() - t))

    # ---- per-series draws ----------------------------------------------------
    t = time.time()
    out.execute("""CREATE TABLE s.ss (tid INTEGER, k INTEGER, submitter INTEGER, state INTEGER,
                   archived INTEGER, delegate INTEGER, PRIMARY KEY (tid, k)) WITHOUT ROWID""")
    rows = []
    tseries = out.execute("""
        SELECT s.id, s.date, s.submitter_id,
               EXISTS (SELECT 1 FROM t.series n WHERE n.previous_id = s.id)
        FROM t.series s ORDER BY s.id""").fetchall()
    total_w = sum(w for _, w in STATE_MIX)
    for sid, sdate, ssub, superseded in tseries:
        age = (sdate - dmin) / (dmax - dmin)  # 0 = oldest, 1 = newest
        for k in range(1, K + 1):
            h = h32(sid, k, 1)
            if superseded:
                state = STATE_SUPERSEDED
            elif (h % 10000) / 10000 < 0.10 + 0.55 * age * age:
                state = STATE_NEW
            else:
                x = (h >> 14) % total_w
                for state, w in STATE_MIX:
                    if x < w:
                        break
                    x -= w
            h2 = h32(sid, k, 2)
            archived = int(state in (STATE_ACCEPTED, STATE_REJECTED, STATE_SUPERSEDED, STATE_NA)
                           and age < 0.7 and h2 % 2 == 0)
            ms = maint[k]
            if state == STATE_NEW:
                delegate = ms[(h2 >> 4) % len(ms)] if (h2 >> 8) % 100 < 15 else None
            else:
                delegate = ms[(h2 >> 4) % len(ms)] if (h2 >> 8) % 100 < 70 else None
            rows.append((sid, k, pmap(ssub, sid, k), state, archived, delegate))
    out.execute("BEGIN")
    out.executemany("INSERT INTO s.ss VALUES (?, ?, ?, ?, ?, ?)", rows)
    out.execute("COMMIT")
    log("%-28s %9d rows %6.1f s" % ("series draws", len(rows), time.time() - t))
    del rows

    # ---- the copies (insertion in new-id order: no sort, append-only b-trees)
    run("series", f"""
        INSERT INTO series (id, project_id, cover_letter_id, name, date, submitter_id, version,
                            total, received_total, previous_id)
        SELECT {R('sr.id')}, kk.k, {R('sr.cover_letter_id')}, sr.name, {F('sr.date')},
               ss.submitter, sr.version, sr.total, sr.received_total, {R('sr.previous_id')}
        FROM t.series sr CROSS JOIN kk CROSS JOIN s.ss ss ON ss.tid = sr.id AND ss.k = kk.k
        ORDER BY sr.id, kk.k""")
    run("covers", f"""
        INSERT INTO covers (id, project_id, msgid, name, date, submitter_id, headers, content)
        SELECT {R('c.id')}, kk.k, {MSGID('c.msgid')}, c.name, {F('c.date')},
               COALESCE(ss.submitter, pmap(c.submitter_id, c.id + 100000000, kk.k)),
               hdr(c.headers, kk.k, {F('c.date')},
                   NULLIF(COALESCE(ss.submitter, pmap(c.submitter_id, c.id + 100000000, kk.k)),
                          c.submitter_id)),
               c.content
        FROM t.covers c CROSS JOIN kk
        LEFT JOIN t.series sr ON sr.cover_letter_id = c.id
        LEFT JOIN s.ss ss ON ss.tid = sr.id AND ss.k = kk.k
        ORDER BY c.id, kk.k""")
    run("patches", f"""
        INSERT INTO patches (id, project_id, msgid, name, date, submitter_id, delegate_id,
                             state_id, archived, hash, commit_ref, pull_url, series_id, number,
                             related_id, headers, content, diff)
        SELECT {R('p.id')}, kk.k, {MSGID('p.msgid')}, p.name, {F('p.date')}, ss.submitter,
               ss.delegate, ss.state, ss.archived, p.hash,
               CASE WHEN ss.state = {STATE_ACCEPTED} THEN sha(p.id, kk.k) END,
               p.pull_url, {R('p.series_id')}, p.number, NULL,
               hdr(p.headers, kk.k, {F('p.date')}, NULLIF(ss.submitter, p.submitter_id)),
               p.content, p.diff
        FROM t.patches p CROSS JOIN kk CROSS JOIN s.ss ss ON ss.tid = p.series_id AND ss.k = kk.k
        ORDER BY p.id, kk.k""")
    n_tpl = out.execute("SELECT count(*) FROM t.patches").fetchone()[0]
    n_out = out.execute("SELECT count(*) FROM patches").fetchone()[0]
    if n_out != n_tpl * K:
        sys.exit("replicate: %d patches copied, expected %d (patches without a series?)" %
                 (n_out, n_tpl * K))
    run("series_references", f"""
        INSERT INTO series_references (id, project_id, series_id, msgid)
        SELECT {R('r.id')}, kk.k, {R('r.series_id')}, {MSGID('r.msgid')}
        FROM t.series_references r CROSS JOIN kk ORDER BY r.id, kk.k""")
    run("patch_comments", f"""
        INSERT INTO patch_comments (id, patch_id, msgid, date, submitter_id, addressed, headers,
                                    content)
        SELECT {R('m.id')}, {R('m.patch_id')}, {MSGID('m.msgid')}, {F('m.date')},
               pmap(m.submitter_id, m.id, kk.k), m.addressed,
               hdr(m.headers, kk.k, {F('m.date')},
                   NULLIF(pmap(m.submitter_id, m.id, kk.k), m.submitter_id)),
               m.content
        FROM t.patch_comments m CROSS JOIN kk ORDER BY m.id, kk.k""")
    run("cover_comments", f"""
        INSERT INTO cover_comments (id, cover_id, msgid, date, submitter_id, addressed, headers,
                                    content)
        SELECT {R('m.id')}, {R('m.cover_id')}, {MSGID('m.msgid')}, {F('m.date')},
               pmap(m.submitter_id, m.id + 200000000, kk.k), m.addressed,
               hdr(m.headers, kk.k, {F('m.date')},
                   NULLIF(pmap(m.submitter_id, m.id + 200000000, kk.k), m.submitter_id)),
               m.content
        FROM t.cover_comments m CROSS JOIN kk ORDER BY m.id, kk.k""")
    run("patch_tags", f"""
        INSERT INTO patch_tags (patch_id, tag_id, count)
        SELECT {R('g.patch_id')}, g.tag_id, g.count
        FROM t.patch_tags g CROSS JOIN kk ORDER BY g.patch_id, g.tag_id, kk.k""")

    # ---- CI checks: 45 % of patches get 1-3 (build, checkpatch, test) ------
    out.execute("CREATE TEMP TABLE nums (i INTEGER PRIMARY KEY)")
    out.executemany("INSERT INTO nums VALUES (?)", [(1,), (2,), (3,)])
    run("checks", f"""
        INSERT INTO checks (patch_id, user_id, date, state, target_url, description, context)
        SELECT p.id, CASE n.i WHEN 2 THEN {ci[1]} ELSE {ci[0]} END,
               p.date + (240 + (p.id * 37 + n.i * 1009) % 5400) * 1000000,
               CASE WHEN h(p.id, 10 + n.i) % 100 < 80 THEN 1
                    WHEN h(p.id, 10 + n.i) % 100 < 88 THEN 2
                    WHEN h(p.id, 10 + n.i) % 100 < 95 THEN 3 ELSE 0 END,
               'https://ci.example.org/proj' || p.project_id || '/patch/' || p.id || '/' ||
                 CASE n.i WHEN 1 THEN 'build' WHEN 2 THEN 'checkpatch' ELSE 'test' END,
               CASE n.i WHEN 1 THEN 'Build of ppc64le_defconfig'
                        WHEN 2 THEN 'checkpatch.pl --strict' ELSE 'Boot and selftests' END,
               CASE n.i WHEN 1 THEN 'build' WHEN 2 THEN 'checkpatch' ELSE 'test' END
        FROM patches p CROSS JOIN nums n
        WHERE h(p.id, 3) % 1000 < 450 AND n.i <= 1 + h(p.id, 4) % 3
        ORDER BY p.id, n.i""")

    # ---- relations: ~3 % of v2+ patches related to the same patch of v1 -------
    t = time.time()
    out.executescript("""
        BEGIN;
        CREATE TABLE s.rel AS
          SELECT p.id AS a, q.id AS b, p.project_id AS k, max(p.date, q.date) AS d
          FROM series sr JOIN patches p ON p.series_id = sr.id
          JOIN patches q ON q.series_id = sr.previous_id AND q.number = p.number
          WHERE sr.previous_id IS NOT NULL AND h(p.id, 5) % 100 < 3
          ORDER BY p.id;
        DELETE FROM s.rel WHERE b IN (SELECT a FROM s.rel) OR a IN (SELECT b FROM s.rel);
        INSERT INTO patch_relations (id) SELECT rowid FROM s.rel ORDER BY rowid;
        UPDATE patches SET related_id = r.rowid FROM s.rel r WHERE patches.id = r.a;
        UPDATE patches SET related_id = r.rowid FROM s.rel r WHERE patches.id = r.b;
        COMMIT;""")
    log("%-28s %9d rows %6.1f s" % ("patch_relations", out.execute(
        "SELECT count(*) FROM patch_relations").fetchone()[0], time.time() - t))

    # ---- events --------------------------------------------------------------
    out.execute("""CREATE TABLE s.ev (date INTEGER NOT NULL, project_id INTEGER, category TEXT,
        actor_id INTEGER, patch_id INTEGER, series_id INTEGER, cover_id INTEGER,
        previous_state_id INTEGER, current_state_id INTEGER, previous_delegate_id INTEGER,
        current_delegate_id INTEGER, created_check_id INTEGER, cover_comment_id INTEGER,
        patch_comment_id INTEGER)""")
    cols = ("date, project_id, category, actor_id, patch_id, series_id, cover_id, "
            "previous_state_id, current_state_id, previous_delegate_id, current_delegate_id, "
            "created_check_id, cover_comment_id, patch_comment_id")
    out.execute("CREATE TEMP TABLE slast (series_id INTEGER PRIMARY KEY, d INTEGER)")
    out.execute("INSERT INTO slast SELECT series_id, max(date) FROM t.patches "
                "WHERE series_id IS NOT NULL GROUP BY series_id")
    # What the ingest wrote, dated from the mail it announces plus 5-60 s of delivery.
    run("ev: ingest events", f"""
        INSERT INTO s.ev ({cols})
        SELECT {F('''CASE e.category
                       WHEN 'cover-created' THEN c.date
                       WHEN 'patch-created' THEN p.date
                       WHEN 'patch-completed' THEN sl.d
                       WHEN 'series-created' THEN sr.date
                       WHEN 'series-completed' THEN sl.d
                       WHEN 'cover-comment-created' THEN cc.date
                       WHEN 'patch-comment-created' THEN pc.date END''')}
                 + ((e.id * 7 + kk.k) % 55 + 5) * 1000000 + (e.id * 7919 + kk.k) % 1000000,
               kk.k, e.category, NULL, {R('e.patch_id')}, {R('e.series_id')}, {R('e.cover_id')},
               NULL, NULL, NULL, NULL, NULL, {R('e.cover_comment_id')}, {R('e.patch_comment_id')}
        FROM t.events e CROSS JOIN kk
        LEFT JOIN t.patches p ON p.id = e.patch_id
        LEFT JOIN t.covers c ON c.id = e.cover_id
        LEFT JOIN t.series sr ON sr.id = e.series_id
        LEFT JOIN slast sl ON sl.series_id = COALESCE(e.series_id, p.series_id)
        LEFT JOIN t.cover_comments cc ON cc.id = e.cover_comment_id
        LEFT JOIN t.patch_comments pc ON pc.id = e.patch_comment_id
        ORDER BY e.id, kk.k""")
    bad = out.execute("SELECT count(*) FROM s.ev WHERE date IS NULL").fetchone()[0]
    if bad:
        sys.exit("replicate: %d template events of unknown category" % bad)
    out.execute("CREATE TEMP TABLE mt (k INTEGER, j INTEGER, user_id INTEGER, PRIMARY KEY (k, j))")
    out.executemany("INSERT INTO mt VALUES (?, ?, ?)",
                    [(k, j, u) for k in maint for j, u in enumerate(maint[k])])
    nm = len(maint[1])
    actor = f"COALESCE(p.delegate_id, (SELECT user_id FROM mt WHERE mt.k = p.project_id AND mt.j = p.id % {nm}))"
    # Triage: a maintainer sets the final state 1 hour to ~3 weeks after the
    # patch arrived; a third of the accepted/rejected/... patches pass
    # through under-review first.
    d1 = "p.date + (3600 + (p.id * 31 % 97) * 4 * 3600) * 1000000"
    d2 = "p.date + (7200 + (p.id * 31 % 97) * 4 * 3600 + (p.id * 17 % 11) * 86400) * 1000000"
    two_step = f"(p.state_id IN ({STATE_ACCEPTED}, {STATE_REJECTED}, {STATE_CHANGES}, {STATE_UPSTREAM}, {STATE_DEFERRED}) AND h(p.id, 6) % 10 < 3)"
    run("ev: state -> under-review", f"""
        INSERT INTO s.ev ({cols})
        SELECT {d1}, p.project_id, 'patch-state-changed', {actor}, p.id, NULL, NULL,
               {STATE_NEW}, {STATE_REVIEW}, NULL, NULL, NULL, NULL, NULL
        FROM patches p WHERE {two_step} ORDER BY p.id""")
    run("ev: state -> final", f"""
        INSERT INTO s.ev ({cols})
        SELECT {d2}, p.project_id, 'patch-state-changed', {actor}, p.id, NULL, NULL,
               CASE WHEN {two_step} THEN {STATE_REVIEW} ELSE {STATE_NEW} END, p.state_id,
               NULL, NULL, NULL, NULL, NULL
        FROM patches p WHERE p.state_id <> {STATE_NEW} ORDER BY p.id""")
    run("ev: delegated", f"""
        INSERT INTO s.ev ({cols})
        SELECT p.date + (1800 + (p.id * 29 % 89) * 3600) * 1000000, p.project_id,
               'patch-delegated', {actor}, p.id, NULL, NULL, NULL, NULL, NULL, p.delegate_id,
               NULL, NULL, NULL
        FROM patches p WHERE p.delegate_id IS NOT NULL ORDER BY p.id""")
    run("ev: check-created", f"""
        INSERT INTO s.ev ({cols})
        SELECT ch.date, p.project_id, 'check-created', ch.user_id, p.id, NULL, NULL, NULL, NULL,
               NULL, NULL, ch.id, NULL, NULL
        FROM checks ch JOIN patches p ON p.id = ch.patch_id ORDER BY ch.id""")
    run("ev: relation-changed", f"""
        INSERT INTO s.ev ({cols})
        SELECT r.d + 2 * 86400 * 1000000, p.project_id, 'patch-relation-changed', {actor}, p.id,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM s.rel r JOIN patches p ON p.id IN (r.a, r.b) ORDER BY r.rowid, p.id""", may_sort=True)
    # Event ids grow with time, as on a live server.
    run("events (in date order)", f"""
        INSERT INTO events ({cols}) SELECT {cols} FROM s.ev ORDER BY date, rowid""", may_sort=True)

    # ---- indexes, statistics -------------------------------------------------
    t = time.time()
    for name, sql in indexes:
        out.execute(sql)
    log("%-28s %9d      %6.1f s" % ("indexes rebuilt", len(indexes), time.time() - t))
    # ---- bundles: each maintainer keeps one public and one private bundle
    # (after the indexes, so that patches_project serves the lookups) -----------
    t = time.time()
    out.execute("BEGIN")
    for k in range(1, K + 1):
        for j, uid in enumerate(maint[k]):
            for public in (1, 0):
                bid = out.execute(
                    "INSERT INTO bundles (owner_id, project_id, name, public) VALUES (?, ?, ?, ?) "
                    "RETURNING id", (uid, k, "%s-%d" % ("for-next" if public else "todo", j),
                                     public)).fetchone()[0]
                out.execute(
                    "INSERT INTO bundle_patches (bundle_id, patch_id, position) "
                    "SELECT ?, id, row_number() OVER (ORDER BY id) FROM patches "
                    "WHERE project_id = ? AND h(id, ?) % 1000 = 0 ORDER BY id LIMIT 40",
                    (bid, k, bid))
    out.execute("COMMIT")
    log("%-28s %9d rows %6.1f s" % ("bundles", out.execute(
        "SELECT count(*) FROM bundles").fetchone()[0], time.time() - t))

    out.execute("DETACH s")
    os.remove(args.scratch)
    out.execute("DETACH t")
    t = time.time()
    out.execute("ANALYZE")
    log("%-28s %16s %6.1f s" % ("ANALYZE", "", time.time() - t))
    out.execute("UPDATE data_generation SET generation = generation + 1")
    out.execute("PRAGMA journal_mode=WAL")
    out.close()


# ---------------------------------------------------------------------------
def check_json(args):
    """Every project/series/patch/cover embedded in the responses is PROJECT's."""
    want = args.project
    problems = []
    seen = 0

    def walk(v, path):
        nonlocal seen
        if isinstance(v, dict):
            proj = v.get("project")
            if isinstance(proj, dict) and "id" in proj:
                seen += 1
                if proj["id"] != want:
                    problems.append("%s.project.id = %r" % (path, proj["id"]))
            url = v.get("url")
            if isinstance(url, str) and "/api/" in url and "web_url" in v:
                # Embedded patches/covers/series carry web_url with the linkname.
                if "/project/" in v["web_url"] and "/project/proj%d/" % want not in v["web_url"]:
                    problems.append("%s.web_url = %s" % (path, v["web_url"]))
            if isinstance(v.get("msgid"), str) and not v["msgid"].startswith("<p%d." % want):
                problems.append("%s.msgid = %s" % (path, v["msgid"]))
            for key, x in v.items():
                walk(x, path + "." + key)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, "%s[%d]" % (path, i))

    for url in args.urls:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = json.load(r)
        walk(body, url)
        print("  ok: %s (%d bytes of JSON)" % (url, len(json.dumps(body))))
    if problems:
        print("check-json: %d problems:\n  %s" % (len(problems), "\n  ".join(problems[:20])))
        sys.exit(1)
    if seen == 0:
        sys.exit("check-json: no embedded project seen")
    print("check-json: %d embedded objects, all of project %d" % (seen, want))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("series30-mbox")
    a.add_argument("-o", "--output", required=True)
    a.add_argument("--count", type=int, default=25)
    a.add_argument("--seed", type=int, default=30)
    a.add_argument("--list-id", default="bench.lists.example.org")
    a.add_argument("--from-ts", type=int, default=1546300800)
    a.add_argument("--to-ts", type=int, default=2400000000)
    a.set_defaults(fn=series30_mbox)
    a = sub.add_parser("trim")
    a.add_argument("db")
    a.add_argument("--patches", type=int, required=True)
    a.set_defaults(fn=trim)
    a = sub.add_parser("replicate")
    a.add_argument("--template", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--scratch", required=True)
    a.add_argument("--projects", type=int, default=10)
    a.add_argument("--people", type=int, default=6000)
    a.add_argument("--start", default="2013-01-01")
    a.add_argument("--end", default="2025-10-01")
    a.set_defaults(fn=replicate)
    a = sub.add_parser("check-json")
    a.add_argument("project", type=int)
    a.add_argument("urls", nargs="+")
    a.set_defaults(fn=check_json)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
