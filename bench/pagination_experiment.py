#!/usr/bin/env python3
"""What deep pages cost with the schema's indexes and with candidate ones.

    python3 bench/pagination_experiment.py DB [--project 7] [--runs 20] [--scratch /tmp/pb-pages.db]

Copies the columns that the page-id queries of src/db/read read (patches:
id, project_id, state_id, archived, date; events: id, project_id, date) from
the gen_db_1m.sh database DB (opened read-only) into a small scratch
database, then times, with Python's sqlite3 module (SQLite 3.40, the
server's cache_size), the id query of one page of:

  /api/patches/?project=X&state=new&order=-date   (page 1, middle, last)
  /api/events/?project=X                            (page 1, middle, last)

with the OFFSET walk over schema v2's and v3's index (v3 = migration 3 of
dc00a75) and with the alternatives discussed in docs/performance.md: an
ascending (date, id) index, a tie-break in the direction of the sort, the
far pages read from the other end of the index, and keyset seeks from a
cached page boundary. Every variant is checked against the v2 query's ids.
Then, on DB itself, the statement that reads the rows of one page's ids, as
HEAD runs it for pages served from the ordered-id cache and by id only.
The scratch database is deleted at the end. Standard library only.
"""

import argparse
import os
import sqlite3
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--project", type=int, default=7)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--scratch", default="/tmp/pb-pages.db")
    args = ap.parse_args()
    x = args.project
    if os.path.exists(args.scratch):
        os.remove(args.scratch)
    c = sqlite3.connect(args.scratch, isolation_level=None, uri=True)
    c.execute("PRAGMA journal_mode=OFF")
    c.execute("ATTACH ? AS b", ("file:%s?mode=ro" % args.db,))
    t = time.time()
    c.executescript("""
        BEGIN;
        CREATE TABLE p (id INTEGER PRIMARY KEY, project_id INT, state_id INT, archived INT, date INT);
        INSERT INTO p SELECT id, project_id, state_id, archived, date FROM b.patches
          INDEXED BY patches_project_state_date;
        CREATE TABLE e (id INTEGER PRIMARY KEY, project_id INT, date INT);
        INSERT INTO e SELECT id, project_id, date FROM b.events INDEXED BY events_project_date;
        COMMIT;
        DETACH b;
        -- schema v2 (migration 2, before dc00a75)
        CREATE INDEX v2_project_state_date ON p (project_id, state_id, archived, date, id);
        -- schema v3 (migration 3, dc00a75)
        CREATE INDEX v3_project_state_date ON p (project_id, state_id, date DESC, id, archived);
        CREATE INDEX events_project_date ON e (project_id, date, id);
        -- an ascending (date, id) index, for the variants below
        CREATE INDEX cand_project_state_date ON p (project_id, state_id, date, id);
        ANALYZE;
    """)
    print("scratch copy: %.1f s" % (time.time() - t))
    c.execute("PRAGMA cache_size=-16384")

    def timed(sql, params=()):
        rows = c.execute(sql, params).fetchall()     # warm
        t = time.perf_counter()
        for _ in range(args.runs):
            c.execute(sql, params).fetchall()
        return (time.perf_counter() - t) * 1000 / args.runs, [r[0] for r in rows]

    def plan(sql, params=()):
        return "; ".join(r[3] for r in c.execute("EXPLAIN QUERY PLAN " + sql, params))

    n = c.execute("SELECT count(*) FROM p WHERE project_id = ? AND state_id = 1", (x,)).fetchone()[0]
    ne = c.execute("SELECT count(*) FROM e WHERE project_id = ?", (x,)).fetchone()[0]
    size = 30
    pages = {"1": 0, "middle": ((n + size - 1) // size + 1) // 2 * size - size,
             "last": (n - 1) // size * size}
    epages = {"1": 0, "middle": ((ne + size - 1) // size + 1) // 2 * size - size,
              "last": (ne - 1) // size * size}
    print("project %d: %d new patches, %d events; page size %d\n" % (x, n, ne, size))

    rows = []

    def row(what, page, sql, params, ref):
        ms, ids = timed(sql, params)
        ok = "same ids" if ids == ref else "**different ids**"
        rows.append("| %s | %s | %.3f | %s | %s |" % (what, page, ms, plan(sql, params), ok))
        return ids

    where = "project_id = %d AND state_id = 1" % x
    for page, off in pages.items():
        v2 = ("SELECT id FROM p INDEXED BY v2_project_state_date WHERE %s "
              "ORDER BY date DESC, id LIMIT %d OFFSET %d" % (where, size, off))
        _, ref = timed(v2)
        row("patches, schema v2: OFFSET, index (project, state, archived, date, id)", page, v2, (), ref)
        row("patches, schema v3: OFFSET, index (project, state, date DESC, id, archived)", page,
            "SELECT id FROM p INDEXED BY v3_project_state_date WHERE %s "
            "ORDER BY date DESC, id LIMIT %d OFFSET %d" % (where, size, off), (), ref)
        row("patches, OFFSET, index (project, state, date, id)", page,
            "SELECT id FROM p INDEXED BY cand_project_state_date WHERE %s "
            "ORDER BY date DESC, id LIMIT %d OFFSET %d" % (where, size, off), (), ref)
        # Tie-break in the sort's direction: one backward index walk, no sorter.
        # (Different order among equal dates; compared as a set.)
        desc = ("SELECT id FROM p INDEXED BY cand_project_state_date WHERE %s "
                "ORDER BY date DESC, id DESC LIMIT %d OFFSET %d" % (where, size, off))
        ms, ids = timed(desc)
        rows.append("| patches, OFFSET, (project, state, date, id), ties by id DESC | %s | %.3f | %s | %s |" % (
            page, ms, plan(desc), "same ids" if sorted(ids) == sorted(ref) else "**different ids**"))
        # The far half read from the other end: OFFSET n - off - size ascending, reversed.
        if off > n // 2:
            k = n - off - size
            lim = size + min(k, 0)
            flip = ("SELECT id FROM (SELECT id, date FROM p INDEXED BY cand_project_state_date WHERE %s "
                    "ORDER BY date, id DESC LIMIT %d OFFSET %d) ORDER BY date DESC, id" %
                    (where, lim, max(k, 0)))
            row("patches, far half from the other end (ascending OFFSET)", page, flip, (), ref)
        # Keyset: the page's first (date, id) known (a cached page boundary).
        # Ties ascending under a descending date: the equal-date rest of the
        # boundary's date, then the older dates; each an index range.
        if ref:
            d0 = c.execute("SELECT date FROM p WHERE id = ?", (ref[0],)).fetchone()[0]
            ks = ("SELECT id FROM ("
                  "SELECT * FROM (SELECT id, date FROM p INDEXED BY cand_project_state_date WHERE %s "
                  "AND date = ? AND id >= ? ORDER BY id LIMIT %d) UNION ALL "
                  "SELECT * FROM (SELECT id, date FROM p INDEXED BY cand_project_state_date WHERE %s "
                  "AND date < ? ORDER BY date DESC, id LIMIT %d)) ORDER BY date DESC, id LIMIT %d"
                  % (where, size, where, size, size))
            row("patches, keyset seek from a cached boundary (date, id), ties by id ASC", page, ks,
                (d0, ref[0], d0), ref)
            ks2 = ("SELECT id FROM p INDEXED BY cand_project_state_date WHERE %s "
                   "AND (date, id) <= (?, ?) ORDER BY date DESC, id DESC LIMIT %d" % (where, size))
            ms, ids = timed(ks2, (d0, max(i for i in ref if c.execute(
                "SELECT date FROM p WHERE id = ?", (i,)).fetchone()[0] == d0)))
            rows.append("| patches, keyset seek (date, id) <= (?, ?), ties by id DESC | %s | %.3f | %s | %s |" % (
                page, ms, plan(ks2, (d0, 0)), "same ids" if sorted(ids) == sorted(ref) else "(other tie order)"))

    for page, off in epages.items():
        today = ("SELECT id FROM e WHERE project_id = %d ORDER BY date DESC, id DESC LIMIT %d OFFSET %d"
                 % (x, size, off))
        _, ref = timed(today)
        row("events, OFFSET, index (project, date, id)", page, today, (), ref)
        if off > ne // 2:
            k = ne - off - size
            lim = size + min(k, 0)
            flip = ("SELECT id FROM (SELECT id, date FROM e WHERE project_id = %d ORDER BY date, id "
                    "LIMIT %d OFFSET %d) ORDER BY date DESC, id DESC" % (x, lim, max(k, 0)))
            row("events, far half from the other end", page, flip, (), ref)
        if ref:
            d0 = c.execute("SELECT date FROM e WHERE id = ?", (ref[0],)).fetchone()[0]
            ks = ("SELECT id FROM e WHERE project_id = %d AND (date, id) <= (?, ?) "
                  "ORDER BY date DESC, id DESC LIMIT %d" % (x, size))
            row("events, keyset seek from a cached boundary (date, id)", page, ks, (d0, ref[0]), ref)

    print("| query (ids of one page) | page | ms per run (mean of %d) | plan | result |" % args.runs)
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    c.close()
    os.remove(args.scratch)

    # The second half of a page: the rows of the page's ids with what the
    # list shows (src/db/read/patches_read.cc, kColumns and kEmbedJoins), on
    # the real database. When the ids come from the ordered-id cache, HEAD
    # runs them through the page CTE and sorts again; the alternative reads
    # them by id and leaves the order to the caller, which knows it.
    d = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
    d.execute("PRAGMA cache_size=-16384")
    ids = [r[0] for r in d.execute(
        "SELECT id FROM patches WHERE project_id = ? AND state_id = 1 ORDER BY date DESC, id "
        "LIMIT 30 OFFSET ?", (x, pages["last"]))]
    ids += [ids[-1]] * (32 - len(ids))          # InPlaceholders pads to a power of two
    inlist = ",".join(map(str, ids))
    cols = ("p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, "
            "p.hash, p.state_id, p.related_id, s.id, s.name, s.email, d.id, d.username, "
            "d.first_name, d.last_name, d.email, sr.id, sr.date, sr.name, sr.version, sr.project_id")
    joins = (" JOIN people s ON s.id = p.submitter_id LEFT JOIN users d ON d.id = p.delegate_id"
             " LEFT JOIN series sr ON sr.id = p.series_id")
    head = ("WITH page AS (SELECT id AS pid FROM patches WHERE id IN (%s)) SELECT %s "
            "FROM page JOIN patches p ON p.id = page.pid%s ORDER BY p.date DESC, p.id" % (inlist, cols, joins))
    direct = "SELECT %s FROM patches p%s WHERE p.id IN (%s)" % (cols, joins, inlist)
    print("\n| rows of the last page (%d ids) | ms per run (mean of %d) | plan |" % (
        len(set(ids)), args.runs * 10))
    print("|---|---|---|")
    for label, sql in (("HEAD: page CTE over the cached ids, ORDER BY again", head),
                       ("by id only: WHERE p.id IN (...), order from the cached slice", direct)):
        d.execute(sql).fetchall()
        t = time.perf_counter()
        for _ in range(args.runs * 10):
            d.execute(sql).fetchall()
        ms = (time.perf_counter() - t) * 1000 / (args.runs * 10)
        pl = "; ".join(r[3] for r in d.execute("EXPLAIN QUERY PLAN " + sql))
        print("| %s | %.3f | %s |" % (label, ms, pl))


if __name__ == "__main__":
    main()
