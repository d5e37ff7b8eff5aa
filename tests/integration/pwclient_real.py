#!/usr/bin/env python3
"""The real pwclient command line against a running patchbay, in both modes.

pwclient is not packaged by Debian and PyPI is out of reach of CI, so this
suite runs only where a pwclient source tree or installation is present:
$PATCHBAY_PWCLIENT_SRC (a checkout of github.com/getpatchwork/pwclient, the
directory holding the `pwclient` package) or an importable `pwclient`.
Without one it prints "skipped" and exits 0 with no counts.

It writes a .pwclientrc for the XML-RPC backend (pwclient's default: HTTP
Basic auth, absolute-form request targets) and one for the REST backend
(token), points $HOME at each in turn and runs the commands a maintainer
uses: projects, list, info, view, get, update (state and commit ref),
check-create/check-list/check-info, search by hash, list with a format.

    pwclient_real.py --url http://127.0.0.1:8000/ --project patchbay \
                     --user maint --password PW --token TOKEN
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def pwclient_command():
    src = os.environ.get("PATCHBAY_PWCLIENT_SRC")
    if src and os.path.isdir(os.path.join(src, "pwclient")):
        code = f"import sys; sys.path.insert(0, {src!r}); from pwclient.shell import main; sys.exit(main())"
        return [sys.executable, "-c", code]
    try:
        import pwclient.shell  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-c", "import sys; from pwclient.shell import main; sys.exit(main())"]


class Runner:
    def __init__(self, base_cmd, home, cwd):
        self.base_cmd, self.home, self.cwd = base_cmd, home, cwd
        self.passed = self.failed = 0

    def run(self, *args):
        env = dict(os.environ, HOME=self.home)
        r = subprocess.run(self.base_cmd + list(args), capture_output=True, text=True,
                           env=env, cwd=self.cwd, timeout=120)
        return r.returncode, r.stdout + r.stderr

    def check(self, name, ok, output):
        if ok:
            self.passed += 1
            print("ok   " + name)
        else:
            self.failed += 1
            print("FAIL " + name)
            print("     " + output.strip().replace("\n", "\n     ")[:2000])


def write_rc(home, project, body):
    with open(os.path.join(home, ".pwclientrc"), "w") as f:
        f.write(f"[options]\ndefault = {project}\n\n[{project}]\n{body}")


def one_mode(r, mode, project):
    new_state = "New" if mode == "xmlrpc" else "new"
    review_state = "Under Review" if mode == "xmlrpc" else "under-review"
    rc, out = r.run("projects")
    r.check(f"{mode}: projects", rc == 0 and project in out, out)
    rc, out = r.run("list")
    r.check(f"{mode}: list", rc == 0 and "[1/3] README" in out and "ID" in out, out)
    rc, out = r.run("info", "2")
    hash_line = re.search(r"^- hash\s*:\s*([0-9a-f]{40})$", out, re.M)
    r.check(f"{mode}: info", rc == 0 and "Information for patch id 2" in out and hash_line, out)
    rc, out = r.run("view", "2")
    r.check(f"{mode}: view (mbox)", rc == 0 and out.startswith("From ") and "diff --git" in out, out)
    rc, out = r.run("get", "2")
    saved = re.search(r"Saved patch to (\S+)", out)
    r.check(f"{mode}: get", rc == 0 and saved and os.path.exists(os.path.join(r.cwd, saved.group(1))), out)
    rc, out = r.run("update", "-s", "Under Review", "-c", "deadbeef", "2")
    rc2, out2 = r.run("info", "2")
    r.check(f"{mode}: update state and commit ref",
            rc == 0 and re.search(r"^- commit_ref\s*:\s*deadbeef$", out2, re.M)
            and re.search(rf"^- state\s*:\s*{review_state}$", out2, re.M), out + out2)
    rc, out = r.run("list", "-s", "Under Review")
    r.check(f"{mode}: list by state", rc == 0 and re.search(r"^2\s", out, re.M)
            and not re.search(r"^[3-6]\s", out, re.M), out)
    r.run("update", "-s", "New", "2")
    rc, out = r.run("info", "2")
    r.check(f"{mode}: state back to New", re.search(rf"^- state\s*:\s*{new_state}$", out, re.M), out)
    context = f"ci-{mode}"
    rc, out = r.run("check-create", "-c", context, "-s", "success",
                    "-u", "https://ci.example.org/1", "-d", "built", "2")
    rc2, out2 = r.run("check-list", "2")
    r.check(f"{mode}: check-create then check-list", rc == 0 and context in out2 and "success" in out2,
            out + out2)
    if hash_line:
        rc, out = r.run("search", "-H", hash_line.group(1))
        r.check(f"{mode}: search by hash", rc == 0 and re.search(r"^2\s", out, re.M), out)
    rc, out = r.run("list", "-f", "%{id}|%{msgid}")
    r.check(f"{mode}: list with a format", rc == 0 and re.search(r"^1\|<[^>]+>$", out, re.M), out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--token", required=True)
    a = ap.parse_args()
    cmd = pwclient_command()
    if cmd is None:
        print("skipped: the real pwclient is not installed (set PATCHBAY_PWCLIENT_SRC to a checkout)")
        return 0
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="patchbay-pwclient-") as tmp:
        for mode, rc in (("xmlrpc", f"backend = xmlrpc\nurl = {a.url}xmlrpc/\n"
                                    f"username = {a.user}\npassword = {a.password}\n"),
                         ("rest", f"backend = rest\nurl = {a.url}api/\ntoken = {a.token}\n")):
            home = os.path.join(tmp, mode)
            os.makedirs(home)
            write_rc(home, a.project, rc)
            r = Runner(cmd, home, home)
            one_mode(r, mode, a.project)
            passed += r.passed
            failed += r.failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
