#!/usr/bin/env python3
"""git-pw (the Debian package) against a real `patchbay serve`.

Loads the demo project (demo/demo.mbox: series v1 and v2 of three patches,
made with git format-patch on commit 7338802 of this repository), creates a
maintainer with an API token, and runs git-pw's patch, series and bundle
commands in a clone of this repository checked out at that base, including
`git pw series apply`. Skips (exit 77, which ctest shows as skipped) when git-pw is not installed or the
base commit is not in the clone (a shallow CI checkout).

usage: gitpw_e2e.py --binary build/patchbay --source .
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import testdb

BASE = "7338802cf73891730fd5b4ef0313ec2f0f18178e"
TOKEN = "9e0c2d3b4a5f60718293a4b5c6d7e8f901234567"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    if not shutil.which("git-pw"):
        print("skipped: git-pw is not installed\n0 passed, 0 failed")
        return 77  # ctest: skipped
    if subprocess.run(["git", "-C", a.source, "cat-file", "-e", BASE + "^{commit}"],
                      capture_output=True).returncode != 0:
        print("skipped: demo base commit not in this clone\n0 passed, 0 failed")
        return 77  # ctest: skipped
    binary = os.path.abspath(a.binary)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"\n     {detail}"))

    with tempfile.TemporaryDirectory(prefix="patchbay-gitpw-") as tmp:
        db = testdb.new_url(tmp, "gitpw.db")
        for args in (["demo", os.path.join(a.source, "demo/demo.mbox")],
                     ["user", "create", "--username", "maint", "--email", "maint@example.org",
                      "--password", "maint-pw", "--maintainer", "patchbay", "--token", TOKEN]):
            subprocess.run([binary, *args, "--database", db], check=True, capture_output=True)
        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            base_url = re.search(r"(http://\S+)/", server.stdout.readline()).group(1)
            repo = os.path.join(tmp, "repo")
            subprocess.run(["git", "clone", "-q", "--no-checkout", a.source, repo], check=True)
            env = dict(os.environ, HOME=tmp, GIT_CONFIG_NOSYSTEM="1")

            def git(*args):
                return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=env,
                                      timeout=120)

            git("-c", "advice.detachedHead=false", "checkout", "-q", BASE)
            for k, v in (("pw.server", base_url + "/api/1.2/"), ("pw.project", "patchbay"),
                         ("pw.token", TOKEN), ("user.name", "Maint"), ("user.email", "maint@example.org")):
                git("config", k, v)

            def pw(*args):
                return git("pw", *args)

            r = pw("patch", "list", "-f", "csv", "-c", "ID", "-c", "Name", "-c", "State")
            check("patch list", r.returncode == 0 and "[v2,1/3] README: say which database setting wins" in r.stdout,
                  r.stdout + r.stderr)
            r = pw("patch", "show", "1")
            check("patch show", r.returncode == 0 and "README: say which database setting wins" in r.stdout
                  and "Jörg Demo" in r.stdout, r.stdout + r.stderr)
            r = pw("patch", "update", "--state", "under-review", "--delegate", "maint", "--archived", "yes",
                   "--commit-ref", "0123456789abcdef", "2", "-f", "csv")
            check("patch update", r.returncode == 0 and "under-review" in r.stdout and "maint" in r.stdout,
                  r.stdout + r.stderr)
            r = pw("patch", "list", "--state", "under-review", "--archived", "-f", "csv", "-c", "ID")
            check("patch list --state under-review --archived",
                  r.returncode == 0 and [x.strip('"') for x in r.stdout.split()] == ["ID", "2"], r.stdout + r.stderr)
            r = pw("patch", "download", "1", os.path.join(tmp, "p1.mbox"))
            with open(os.path.join(tmp, "p1.mbox"), errors="replace") as f:
                p1 = f.read() if r.returncode == 0 else ""
            check("patch download (review tag folded in)", "Reviewed-by:" in p1 and "X-Patchwork-Id: 1" in p1,
                  r.stderr)
            r = pw("series", "list", "-f", "csv", "-c", "ID", "-c", "Name", "-c", "Version")
            check("series list", r.returncode == 0 and "README and build script touch-ups" in r.stdout,
                  r.stdout + r.stderr)
            r = pw("series", "show", "2")
            check("series show", r.returncode == 0 and "[v2,3/3] scripts/build.sh" in r.stdout, r.stdout + r.stderr)
            r = pw("series", "download", "2", os.path.join(tmp, "s2.mbox"))
            check("series download", r.returncode == 0 and os.path.getsize(os.path.join(tmp, "s2.mbox")) > 0,
                  r.stderr)
            r = pw("series", "apply", "2")
            log = git("log", "--format=%s", f"{BASE}..HEAD").stdout.split("\n")
            check("series apply", r.returncode == 0 and log[:1] == ["scripts/build.sh: honour $JOBS"]
                  and len([x for x in log if x]) == 3, r.stdout + r.stderr + str(log))
            r = pw("bundle", "create", "--public", "demo-bundle", "1", "2", "-f", "csv")
            check("bundle create", r.returncode == 0 and "demo-bundle" in r.stdout, r.stdout + r.stderr)
            bid = re.search(r"^ID,(\d+)", r.stdout, re.M)
            bid = bid.group(1) if bid else "1"
            r = pw("bundle", "add", bid, "3")
            check("bundle add", r.returncode == 0, r.stderr)
            r = pw("bundle", "remove", bid, "1")
            check("bundle remove", r.returncode == 0, r.stderr)
            r = pw("bundle", "update", "--name", "renamed-bundle", bid)
            check("bundle update", r.returncode == 0 and "renamed-bundle" in r.stdout, r.stdout + r.stderr)
            r = pw("bundle", "show", bid)
            check("bundle show", r.returncode == 0 and "renamed-bundle" in r.stdout and "[2/3]" in r.stdout
                  and "[3/3]" in r.stdout and "[1/3]" not in r.stdout, r.stdout + r.stderr)
            r = pw("bundle", "list")
            check("bundle list", r.returncode == 0 and "renamed-bundle" in r.stdout, r.stdout + r.stderr)
            r = pw("bundle", "delete", bid)
            check("bundle delete", r.returncode == 0, r.stderr)
            r = pw("bundle", "list", "-f", "csv")
            check("bundle gone", r.returncode == 0 and "renamed-bundle" not in r.stdout, r.stdout + r.stderr)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
