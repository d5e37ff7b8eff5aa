"""Patch details that arrive together get the bytes they get alone (run by
run.py on the golden database, read only, with a server of its own).

On PostgreSQL a serve thread reads the details it has ready at once with
one statement (db/read/detail_batch.h, docs/performance.md §9x). Each
request here is first sent alone (one connection, one request), then every
request again from several connections at once, each connection with
several requests pipelined in one write: existing and missing patches,
versioned URLs, HEAD, a token and a bad token. Every answer must equal the
one the same request got alone, byte for byte but for the Date header; on
PostgreSQL the server must also have read more than one detail in some
statement (it prints how many each read on SIGTERM), or the test proved
nothing about batches."""

import json
import random
import re
import socket

import golden_db
import testdb

DATE = re.compile(rb"\r\nDate: [^\r]*")


def request_bytes(method, path, headers):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:8000"]
    lines += ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_responses(sock, methods):
    """The raw responses to `methods` (in order) read from `sock`."""
    buf = b""
    out = []
    for method in methods:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed after %d responses" % len(out))
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        m = re.search(rb"\r\nContent-Length: (\d+)", head, re.I)
        length = int(m.group(1)) if m and method != "HEAD" else 0
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed in a body")
            rest += chunk
        out.append(DATE.sub(b"", head) + b"\r\n\r\n" + rest[:length])
        buf = rest[length:]
    return out


def exchange(port, reqs):
    """Sends `reqs` pipelined on one connection; returns the responses."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(b"".join(request_bytes(*q) for q in reqs))
        return read_responses(s, [q[0] for q in reqs])
    finally:
        s.close()


def batched_statements(stderr_text):
    """Statements that read more than one detail, from the server's summary."""
    m = re.search(r"statements by ids read: ([^)]*)\)", stderr_text)
    if not m:
        return 0
    n = 0
    for part in m.group(1).split(", "):
        size, count = part.split(": ")
        if size != "1":
            n += int(count)
    return n


def run(binary, url, Server, r):
    srv = Server(binary, url)
    try:
        port = srv.port
        # Every patch of the golden state (a page of 250 holds them all).
        st, _, body = srv.request("GET", "/api/patches/?per_page=250&order=id")
        ids = [p["id"] for p in json.loads(body)] if st == 200 else []
        r.check("concurrent details: patches listed", len(ids) >= 10, "%s %d" % (st, len(ids)))
        missing = max(ids or [0]) + 1000
        admin = [("Authorization", "Token " + golden_db.ADMIN_TOKEN)]
        bad = [("Authorization", "Token " + "ff" * 20)]
        reqs = []
        for i, pid in enumerate(ids):
            reqs.append(("GET", "/api/patches/%d/" % pid, []))
            reqs.append(("GET", "/api/1.%d/patches/%d/" % (i % 5, pid), []))
        reqs += [("HEAD", "/api/patches/%d/" % ids[0], []), ("HEAD", "/api/patches/%d/" % missing, []),
                 ("GET", "/api/patches/%d/" % missing, []), ("GET", "/api/patches/%d/" % ids[1], admin),
                 ("GET", "/api/patches/%d/" % ids[2], bad),
                 ("GET", "/api/patches/1234567890123456789/", [])]
        alone = {}
        for q in reqs:
            alone[q[:2] + (tuple(q[2]),)] = exchange(port, [q])[0]
        statuses = sorted(set(int(v.split(b" ", 2)[1]) for v in alone.values()))
        r.check("concurrent details: 200, 403 and 404 among the answers", statuses == [200, 403, 404],
                "%s" % statuses)

        rng = random.Random(7)
        differ = []
        for _ in range(12):
            order = reqs[:]
            rng.shuffle(order)
            # 12 connections, each with up to 5 requests pipelined.
            groups = [order[i::12] for i in range(12)]
            groups = [[q for q in g[:5]] for g in groups if g]
            socks = []
            for g in groups:
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                socks.append((s, g))
            for s, g in socks:
                s.sendall(b"".join(request_bytes(*q) for q in g))
            for s, g in socks:
                try:
                    got = read_responses(s, [q[0] for q in g])
                finally:
                    s.close()
                for q, resp in zip(g, got):
                    if resp != alone[q[:2] + (tuple(q[2]),)]:
                        differ.append("%s %s" % q[:2])
        r.check("concurrent details: the bytes served alone", not differ, "%s" % differ[:5])
    finally:
        srv.stop()
    err = srv.proc.stderr.read()
    if testdb.is_postgres():
        r.check("concurrent details: some statement read several", batched_statements(err) > 0, err[-400:])
    else:
        r.check("concurrent details: SQLite reads each alone", "patch details:" not in err, err[-400:])
