#!/usr/bin/env python3
"""End-to-end: the real clients against a real `patchbay serve`.

Loads the demo project (demo/demo.mbox: a v1 and a v2 series with cover
letters and review replies) through `patchbay demo`, creates a maintainer,
starts the server on a free port and runs, against it:
  - the HTML pages a maintainer opens first;
  - tests/integration/b4_replay.py: the REST calls b4 makes (msgid lookup,
    backlog probe, Link walking, series, checks, state change);
  - tests/xmlrpc/pwclient_e2e.py: the XML-RPC calls pwclient makes, through
    Python's xmlrpc.client;
  - tests/integration/pwclient_real.py: the real pwclient in both modes, where
    it is installed or $PATCHBAY_PWCLIENT_SRC names a checkout.

usage: clients_e2e.py --binary build/patchbay --source .
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import testdb

TOKEN = "5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ff"


def web_pages(base, passed, failed):
    """The HTML pages a maintainer opens first, on the demo data."""
    import urllib.request
    print("== web pages")
    checks = []

    def get(path):
        with urllib.request.urlopen(base + path.lstrip("/")) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()

    status, ctype, body = get("/")
    checks.append(("project list", status == 200 and "text/html" in ctype and "/project/patchbay/list/" in body))
    status, _, body = get("/project/patchbay/list/")
    checks.append(("patch list shows v2 patches", "[v2,1/3] README: say which database setting wins" in body))
    status, _, body = get("/project/patchbay/list/?state=*&series=1")
    checks.append(("series filter", "[1/3] README" in body and "[v2," not in body))
    href = re.search(r'href="(/project/patchbay/patch/[^"]+/)">\[1/3\]', body)
    checks.append(("patch link", href is not None))
    if href:
        status, _, page = get(href.group(1))
        checks.append(("patch page with review reply and diff",
                       status == 200 and "Reviewed-by:" in page and 'class="p_add"' in page))
    status, ctype, rc = get("/project/patchbay/pwclientrc/")
    checks.append(("pwclientrc download", status == 200 and "[patchbay]" in rc and "backend = rest" in rc
                   and base + "api/" in rc))
    for name, ok in checks:
        print(("ok   " if ok else "FAIL ") + name)
    good = sum(1 for _, ok in checks if ok)
    return passed + good, failed + len(checks) - good


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patchbay-e2e-") as tmp:
        db = testdb.new_url(tmp, "e2e.db")

        def run(*args):
            r = subprocess.run([binary, *args, "--database", db], capture_output=True, timeout=120)
            if r.returncode != 0:
                sys.exit(f"{' '.join(args)}: {r.stderr.decode(errors='replace')}")
            return r.stdout.decode()

        run("demo", os.path.join(a.source, "demo/demo.mbox"))
        run("user", "create", "--username", "maint", "--email", "maint@example.org",
            "--password", "maint-pw", "--maintainer", "patchbay", "--token", TOKEN)
        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = server.stdout.readline()
            m = re.search(r"serving on (http://\S+/)", line)
            if not m:
                sys.exit(f"server did not start: {line}")
            base = m.group(1)
            suites = [
                ("b4 (REST 1.2)", [sys.executable, os.path.join(a.source, "tests/integration/b4_replay.py"),
                                   "--url", base, "--token", TOKEN, "--project", "patchbay"]),
                ("pwclient (XML-RPC)", [sys.executable, os.path.join(a.source, "tests/xmlrpc/pwclient_e2e.py"),
                                        "--url", base + "xmlrpc/", "--user", "maint", "--password", "maint-pw"]),
                ("real pwclient (XML-RPC and REST)",
                 [sys.executable, os.path.join(a.source, "tests/integration/pwclient_real.py"),
                  "--url", base, "--project", "patchbay", "--user", "maint", "--password", "maint-pw",
                  "--token", TOKEN]),
            ]
            passed, failed = web_pages(base, passed, failed)
            for name, cmd in suites:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
                print(f"== {name}")
                print(r.stdout, end="")
                if r.stderr:
                    print(r.stderr, end="")
                m = re.search(r"^(\d+) passed, (\d+) failed", r.stdout, re.M)
                if m:
                    passed += int(m.group(1))
                    failed += int(m.group(2))
                skipped = r.returncode == 0 and r.stdout.startswith("skipped:")
                if not m and not skipped:
                    failed += 1
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                failed += 1
                print("server did not stop on SIGTERM")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
