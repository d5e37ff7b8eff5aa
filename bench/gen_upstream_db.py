#!/usr/bin/env python3
"""Writes a patchbay SQLite database out again in upstream Patchwork v3.1's
schema, for timing `patchbay import` (Python 3 standard library only).

    gen_upstream_db.py --from PATCHBAY.db --schema UPSTREAM.sqlite3 --out OUT.sqlite3
                       [--time-zone Australia/Canberra] [--check]

--from is a database of bench/gen_db_1m.sh (1,000,000 patches across 10
projects); the result holds the same rows with the same ids, so that
`patchbay import --from sqlite:///OUT.sqlite3` must give --from back
(bench/import_1m_bench.sh compares them).

--schema is an empty-able upstream database whose schema is the one to write:
the golden upstream v3.1.3 database (../shared/golden/upstream-db/
golden-v3.1.3.sqlite3, made by upstream's own `manage.py migrate`). It is
copied with VACUUM INTO, its data rows are deleted (django_migrations,
content types and permissions stay, as on a real server), its secondary
indexes are dropped, the rows are inserted, and the indexes are made again
from their own CREATE INDEX text. sqlite_sequence follows the inserted ids.

Values as upstream stores them on SQLite (see the README next to the golden
databases): datetimes as naive text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; mail
dates, event, check and confirmation dates in UTC; auth_user.date_joined,
last_login and authtoken_token.created in TIME_ZONE local time (Django's
timezone.now() with USE_TZ=False); booleans 0/1. What upstream v3.1 has no
column for is left out: series.received_total and previous_id,
projects.show_dependencies and supersede_revisions, series dependencies.
Each user gets a patchwork_userprofile whose id is the user's id.
"""

import argparse
import datetime
import os
import sqlite3
import sys
import time
import zoneinfo

# Every table this script fills (its rows from golden are deleted first).
DATA_TABLES = [
    "auth_user", "patchwork_userprofile", "authtoken_token", "patchwork_project",
    "patchwork_userprofile_maintainer_projects", "patchwork_person", "patchwork_state",
    "patchwork_tag", "patchwork_patchrelation", "patchwork_cover", "patchwork_series",
    "patchwork_seriesreference", "patchwork_patch", "patchwork_patchtag",
    "patchwork_patchcomment", "patchwork_covercomment", "patchwork_bundle",
    "patchwork_bundlepatch", "patchwork_check", "patchwork_event", "patchwork_delegationrule",
    "patchwork_emailconfirmation", "patchwork_emailoptout",
    "patchwork_patchchangenotification",
]
# Upstream rows that refer to data rows: emptied too.
EMPTIED_TABLES = ["django_session", "django_admin_log", "auth_user_groups",
                  "auth_user_user_permissions"]


def utc(col):
    """patchbay's microseconds since the epoch as upstream's naive UTC text."""
    return ("CASE WHEN {c} IS NULL THEN NULL WHEN {c} % 1000000 = 0"
            " THEN datetime({c} / 1000000, 'unixepoch')"
            " ELSE datetime({c} / 1000000, 'unixepoch') || printf('.%06d', {c} % 1000000)"
            " END").format(c=col)


# (upstream table, its columns, SELECT over the attached patchbay database `pb`).
def copies():
    return [
        ("auth_user",
         "id, password, last_login, is_superuser, username, last_name, email, is_staff,"
         " is_active, date_joined, first_name",
         "SELECT id, password, local_naive(last_login), is_superuser, username, last_name,"
         " email, is_staff, is_active, local_naive(date_joined), first_name"
         " FROM pb.users ORDER BY id"),
        ("patchwork_userprofile", "id, send_email, items_per_page, show_ids, user_id",
         "SELECT id, send_email, items_per_page, show_ids, id FROM pb.users ORDER BY id"),
        ("authtoken_token", "key, created, user_id",
         "SELECT key, local_naive(created), user_id FROM pb.tokens ORDER BY user_id"),
        ("patchwork_project",
         "id, linkname, name, listid, listemail, subject_match, web_url, scm_url, webscm_url,"
         " list_archive_url, list_archive_url_format, commit_url_format, send_notifications,"
         " use_tags",
         "SELECT id, linkname, name, listid, listemail, subject_match, web_url, scm_url,"
         " webscm_url, list_archive_url, list_archive_url_format, commit_url_format,"
         " send_notifications, use_tags FROM pb.projects ORDER BY id"),
        ("patchwork_userprofile_maintainer_projects", "userprofile_id, project_id",
         "SELECT user_id, project_id FROM pb.project_maintainers ORDER BY user_id, project_id"),
        ("patchwork_person", "id, email, name, user_id",
         "SELECT id, email, name, user_id FROM pb.people ORDER BY id"),
        ("patchwork_state", "id, name, slug, ordering, action_required",
         "SELECT id, name, slug, ordering, action_required FROM pb.states ORDER BY id"),
        ("patchwork_tag", "id, name, pattern, abbrev, show_column",
         "SELECT id, name, pattern, abbrev, show_column FROM pb.tags ORDER BY id"),
        ("patchwork_patchrelation", "id", "SELECT id FROM pb.patch_relations ORDER BY id"),
        ("patchwork_cover",
         "id, msgid, date, headers, content, name, project_id, submitter_id",
         "SELECT id, msgid, %s, headers, content, name, project_id, submitter_id"
         " FROM pb.covers ORDER BY id" % utc("date")),
        ("patchwork_series",
         "id, name, date, version, total, project_id, submitter_id, cover_letter_id",
         "SELECT id, name, %s, version, total, project_id, submitter_id, cover_letter_id"
         " FROM pb.series ORDER BY id" % utc("date")),
        ("patchwork_seriesreference", "id, msgid, project_id, series_id",
         "SELECT id, msgid, project_id, series_id FROM pb.series_references ORDER BY id"),
        ("patchwork_patch",
         "id, msgid, date, headers, content, name, project_id, submitter_id, archived,"
         " commit_ref, delegate_id, diff, hash, number, pull_url, related_id, series_id,"
         " state_id",
         "SELECT id, msgid, %s, headers, content, name, project_id, submitter_id, archived,"
         " commit_ref, delegate_id, diff, hash, number, pull_url, related_id, series_id,"
         " state_id FROM pb.patches ORDER BY id" % utc("date")),
        ("patchwork_patchtag", "count, tag_id, patch_id",
         "SELECT count, tag_id, patch_id FROM pb.patch_tags ORDER BY patch_id, tag_id"),
        ("patchwork_patchcomment",
         "id, msgid, date, headers, content, submitter_id, patch_id, addressed",
         "SELECT id, msgid, %s, headers, content, submitter_id, patch_id, addressed"
         " FROM pb.patch_comments ORDER BY id" % utc("date")),
        ("patchwork_covercomment",
         "id, msgid, date, headers, content, cover_id, submitter_id, addressed",
         "SELECT id, msgid, %s, headers, content, cover_id, submitter_id, addressed"
         " FROM pb.cover_comments ORDER BY id" % utc("date")),
        ("patchwork_bundle", "id, name, public, owner_id, project_id",
         "SELECT id, name, public, owner_id, project_id FROM pb.bundles ORDER BY id"),
        ("patchwork_bundlepatch", 'id, "order", bundle_id, patch_id',
         "SELECT id, position, bundle_id, patch_id FROM pb.bundle_patches ORDER BY id"),
        ("patchwork_check",
         "id, date, state, target_url, description, context, user_id, patch_id",
         "SELECT id, %s, state, target_url, description, context, user_id, patch_id"
         " FROM pb.checks ORDER BY id" % utc("date")),
        ("patchwork_event",
         "id, date, actor_id, created_check_id, current_delegate_id, current_relation_id,"
         " current_state_id, previous_delegate_id, previous_relation_id, previous_state_id,"
         " project_id, series_id, cover_id, patch_id, cover_comment_id, patch_comment_id,"
         " category",
         "SELECT id, %s, actor_id, created_check_id, current_delegate_id, current_relation_id,"
         " current_state_id, previous_delegate_id, previous_relation_id, previous_state_id,"
         " project_id, series_id, cover_id, patch_id, cover_comment_id, patch_comment_id,"
         " category FROM pb.events ORDER BY id" % utc("date")),
        ("patchwork_delegationrule", "id, path, priority, project_id, user_id",
         "SELECT id, path, priority, project_id, user_id FROM pb.delegation_rules ORDER BY id"),
        ("patchwork_emailconfirmation", "id, type, email, key, date, active, user_id",
         "SELECT id, type, email, key, %s, active, user_id FROM pb.email_confirmations"
         " ORDER BY id" % utc("date")),
        ("patchwork_emailoptout", "email", "SELECT email FROM pb.email_optouts ORDER BY email"),
        ("patchwork_patchchangenotification", "last_modified, orig_state_id, patch_id",
         "SELECT %s, orig_state_id, patch_id FROM pb.patch_change_notifications"
         " ORDER BY patch_id" % utc("last_modified")),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="source", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--time-zone", default="Australia/Canberra")
    ap.add_argument("--check", action="store_true",
                    help="PRAGMA foreign_key_check and row counts against --from")
    args = ap.parse_args()
    zone = zoneinfo.ZoneInfo(args.time_zone)

    def local_naive(micros):
        if micros is None:
            return None
        t = datetime.datetime.fromtimestamp(micros / 1e6, zone).replace(tzinfo=None)
        t = t.replace(microsecond=micros % 1000000)
        return t.isoformat(" ")

    tmp = args.out + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    t_all = time.time()
    sqlite3.connect(args.schema).execute("VACUUM INTO ?", (tmp,)).connection.close()
    # uri=True also lets ATTACH take a read-only URI.
    con = sqlite3.connect("file:" + tmp, uri=True, isolation_level=None)
    con.create_function("local_naive", 1, local_naive, deterministic=True)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -262144")
    con.execute("ATTACH ? AS pb", ("file:%s?mode=ro" % args.source,))
    if con.execute("SELECT count(*) FROM pb.series_dependencies").fetchone()[0]:
        sys.exit("gen_upstream_db: --from has series dependencies; upstream v3.1 has no table for them")

    con.execute("BEGIN")
    filled = DATA_TABLES + EMPTIED_TABLES
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (%s)" % ",".join("?" * len(filled)), filled).fetchall()
    for name, _ in indexes:
        con.execute('DROP INDEX "%s"' % name)
    for table in filled:
        con.execute('DELETE FROM "%s"' % table)
    con.execute("DELETE FROM sqlite_sequence WHERE name IN (%s)" % ",".join("?" * len(filled)),
                filled)
    for table, columns, select in copies():
        t = time.time()
        n = con.execute('INSERT INTO "%s" (%s) %s' % (table, columns, select)).rowcount
        print("  %-42s %10d rows  %6.1f s" % (table, n, time.time() - t), flush=True)
    t = time.time()
    for _, sql in indexes:
        con.execute(sql)
    print("  %d indexes made again: %.1f s" % (len(indexes), time.time() - t), flush=True)
    con.execute("COMMIT")

    if args.check:
        t = time.time()
        bad = con.execute("PRAGMA foreign_key_check").fetchmany(5)
        if bad:
            sys.exit("gen_upstream_db: foreign_key_check: %r" % bad)
        pairs = [("auth_user", "users"), ("patchwork_person", "people"),
                 ("patchwork_patch", "patches"), ("patchwork_cover", "covers"),
                 ("patchwork_series", "series"), ("patchwork_patchcomment", "patch_comments"),
                 ("patchwork_covercomment", "cover_comments"), ("patchwork_check", "checks"),
                 ("patchwork_event", "events"), ("patchwork_patchtag", "patch_tags")]
        for up, ours in pairs:
            a = con.execute('SELECT count(*) FROM "%s"' % up).fetchone()[0]
            b = con.execute("SELECT count(*) FROM pb.%s" % ours).fetchone()[0]
            if a != b:
                sys.exit("gen_upstream_db: %s has %d rows, %s %d" % (up, a, ours, b))
        print("  checks (foreign_key_check, row counts): %.1f s" % (time.time() - t), flush=True)
    con.execute("DETACH pb")
    # Django's default: a rollback journal, not WAL.
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    os.replace(tmp, args.out)
    print("gen_upstream_db: %s, %.0f MB, %.1f s" %
          (args.out, os.path.getsize(args.out) / 1e6, time.time() - t_all))


if __name__ == "__main__":
    main()
