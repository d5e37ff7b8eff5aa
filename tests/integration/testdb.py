"""Which database backend a test runs on, and a way to reach it from Python.

The suite runs twice in CI (scripts/test.sh): on SQLite, and on PostgreSQL
with PATCHBAY_TEST_DATABASE set to the URL of a maintenance database of a
throwaway cluster (e.g. postgresql:///postgres?host=/tmp/x&port=5432).
`new_url` gives every test its own database: a file in the test's temporary
directory, or a fresh PostgreSQL database, dropped at exit.

`connect(url)` returns a DB-API connection that takes SQLite's `?`
placeholders on both backends, for tests that set up or inspect rows."""

import atexit
import os
import re
import sqlite3
import sys
import uuid

ENV = "PATCHBAY_TEST_DATABASE"


def admin_url():
    return os.environ.get(ENV, "")


def is_postgres():
    return admin_url().startswith(("postgres://", "postgresql://"))


def with_dbname(url, name):
    """The libpq URI `url` with its database name replaced by `name`."""
    m = re.match(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?(\?.*)?$", url)
    if not m:
        raise ValueError("not a postgresql:// URL: " + url)
    return m.group(1) + "/" + name + (m.group(3) or "")


def _psycopg2():
    try:
        import psycopg2
    except ImportError:  # a Python other than Debian's: use Debian's module
        sys.path.append("/usr/lib/python3/dist-packages")
        import psycopg2
    return psycopg2


_created = []


def _drop_all():
    for name in _created:
        try:
            drop_database(name)
        except Exception:
            pass


def create_database(prefix="pbtest"):
    """Creates an empty PostgreSQL database; returns its URL."""
    name = "%s_%d_%s" % (re.sub(r"[^a-z0-9_]", "_", prefix.lower()), os.getpid(),
                         uuid.uuid4().hex[:8])
    pg = _psycopg2()
    c = pg.connect(admin_url())
    c.autocommit = True
    # scripts/test.sh migrates a template once (PATCHBAY_TEST_TEMPLATE).
    template = os.environ.get("PATCHBAY_TEST_TEMPLATE") or "template0"
    c.cursor().execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))
    c.close()
    if not _created:
        atexit.register(_drop_all)
    _created.append(name)
    return with_dbname(admin_url(), name)


def drop_database(name):
    pg = _psycopg2()
    c = pg.connect(admin_url())
    c.autocommit = True
    c.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    c.close()


def new_url(tmp, filename):
    """A fresh, empty database for one test: `sqlite://tmp/filename`, or a
    new PostgreSQL database when the suite runs on PostgreSQL."""
    if is_postgres():
        return create_database(os.path.splitext(filename)[0])
    return "sqlite://" + os.path.join(tmp, filename)


class _PgCursor:
    def __init__(self, cur):
        self._cur = cur

    def execute(self, sql, params=()):
        self._cur.execute(_pg_sql(sql), tuple(params))
        return self

    def executemany(self, sql, rows):
        self._cur.executemany(_pg_sql(sql), [tuple(r) for r in rows])
        return self

    def fetchone(self):
        return self._cur.fetchone()

    def fetchall(self):
        return self._cur.fetchall()

    def __iter__(self):
        return iter(self._cur.fetchall())

    @property
    def rowcount(self):
        return self._cur.rowcount


def _pg_sql(sql):
    # `?` placeholders become %s; a literal % must be doubled for psycopg2.
    return re.sub(r"\?\d*", "%s", sql.replace("%", "%%"))


class _PgConnection:
    """The slice of sqlite3.Connection the tests use."""

    def __init__(self, url):
        self._c = _psycopg2().connect(url)

    def execute(self, sql, params=()):
        return _PgCursor(self._c.cursor()).execute(sql, params)

    def executemany(self, sql, rows):
        return _PgCursor(self._c.cursor()).executemany(sql, rows)

    def cursor(self):
        return _PgCursor(self._c.cursor())

    def commit(self):
        # Explicit ids need no sequence fix-up: migration 6's trigger moves
        # each identity sequence past them.
        self._c.commit()

    def close(self):
        self._c.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self._c.rollback()
        return False


def restart_ids(conn):
    """After deleting rows, give new rows the ids SQLite would: max(id) + 1.
    (PostgreSQL's sequences, like upstream's, never reuse an id.)"""
    if isinstance(conn, _PgConnection):
        cur = conn._c.cursor()
        cur.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND column_name = 'id' AND is_identity = 'YES'")
        for (table,) in cur.fetchall():
            cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "(SELECT COALESCE(MAX(id), 0) + 1 FROM " + table + "), false)", (table,))


def connect(url):
    """A DB-API connection to a patchbay database URL (sqlite:// or postgresql://)."""
    if url.startswith(("postgres://", "postgresql://")):
        return _PgConnection(url)
    path = url[len("sqlite://"):] if url.startswith("sqlite://") else url
    return sqlite3.connect(path)
