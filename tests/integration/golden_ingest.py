#!/usr/bin/env python3
"""Builds the golden database state of shared/golden/SETUP.md the way an admin
would: `patchbay project create`, `patchbay user create`, then every mail of
golden/ingest/golden-ingest-sequence.txt through `patchbay parsemail` or
`patchbay parsearchive`, in order.

usage: golden_ingest.py --binary build/patchbay --database sqlite:///tmp/g.db [--shared ../shared]
"""
import argparse
import os
import re
import subprocess
import sys

ADMIN_TOKEN = "0123456789abcdef0123456789abcdef01234567"
BOB_TOKEN = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"


def build(binary, database, shared):
    def run(*args, stdin=None):
        r = subprocess.run([binary, *args, "--database", database], capture_output=True,
                           input=stdin, timeout=120)
        if r.returncode != 0:
            sys.exit(f"{' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
        return r

    run("project", "create", "--linkname", "qemu-devel", "--name", "QEMU Development",
        "--listid", "qemu-devel.nongnu.org", "--listemail", "qemu-devel@nongnu.org",
        "--web-url", "https://www.qemu.org/", "--scm-url", "https://gitlab.com/qemu-project/qemu.git",
        "--webscm-url", "https://gitlab.com/qemu-project/qemu",
        "--list-archive-url", "https://lore.kernel.org/qemu-devel/",
        "--list-archive-url-format", "https://lore.kernel.org/qemu-devel/{}/",
        "--commit-url-format", "https://gitlab.com/qemu-project/qemu/-/commit/{}")
    run("project", "create", "--linkname", "patchwork", "--name", "Patchwork",
        "--listid", "patchwork.lists.ozlabs.org", "--listemail", "patchwork@lists.ozlabs.org",
        "--web-url", "http://jk.ozlabs.org/projects/patchwork/",
        "--scm-url", "git://github.com/getpatchwork/patchwork",
        "--webscm-url", "https://github.com/getpatchwork/patchwork")
    run("user", "create", "--username", "admin", "--email", "admin@example.com", "--password", "admin",
        "--first-name", "Ada", "--last-name", "Admin", "--superuser",
        "--maintainer", "qemu-devel", "--maintainer", "patchwork", "--token", ADMIN_TOKEN)
    run("user", "create", "--username", "bob", "--email", "bob@example.com", "--password", "bob",
        "--token", BOB_TOKEN)

    seq = os.path.join(shared, "golden/ingest/golden-ingest-sequence.txt")
    for line in open(seq):
        m = re.match(r"^(\S+)\s+->\s+(\S+)\s", line)
        if not m:
            continue
        f, project = m.groups()
        path = os.path.join(shared, "golden", f) if f.startswith("inputs/") else \
            os.path.join(shared, "corpus/patchwork-fixtures", f)
        list_id = "qemu-devel.nongnu.org" if project == "qemu-devel" else "patchwork.lists.ozlabs.org"
        if f.startswith("series/") or f in ("inputs/pwref-series.mbox", "inputs/pwref-replies.mbox"):
            run("parsearchive", "--list-id", list_id, path)
        else:
            with open(path, "rb") as mail:
                run("parsemail", "--list-id", list_id, stdin=mail.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    a = ap.parse_args()
    build(os.path.abspath(a.binary), a.database, a.shared)


if __name__ == "__main__":
    main()
