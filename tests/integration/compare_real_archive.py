#!/usr/bin/env python3
"""Ingests the real linuxppc-dev archive (5,000 mails) with `patchbay
parsearchive`, serves it, and runs shared/tools/compare_api.py, which checks
every patch, cover, comment and series against what upstream Patchwork stored
for the same archive. Requires 100% agreement. Skips (exit 77, which ctest shows as skipped) when ../shared
or zstd is absent.

usage: compare_real_archive.py --binary build/patchbay --shared ../shared
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    archive = os.path.join(a.shared, "corpus/real-lists/linuxppc-dev-first5k.mbox.zst")
    reference = os.path.join(a.shared, "corpus/real-lists/linuxppc-dev-first5k.reference.json")
    tool = os.path.join(a.shared, "tools/compare_api.py")
    if not (os.path.exists(archive) and os.path.exists(tool) and shutil.which("zstd")):
        print("skipped: ../shared or zstd not present\n0 passed, 0 failed")
        return 77  # ctest: skipped
    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory(prefix="patchbay-real-") as tmp:
        mbox = os.path.join(tmp, "linuxppc.mbox")
        with open(mbox, "wb") as out:
            subprocess.run(["zstd", "-dc", archive], stdout=out, check=True)
        db = testdb.new_url(tmp, "real.db")
        subprocess.run([binary, "project", "create", "--database", db, "--linkname", "linuxppc-dev",
                        "--name", "linuxppc-dev", "--listid", "linuxppc-dev.lists.ozlabs.org",
                        "--listemail", "linuxppc-dev@lists.ozlabs.org"], check=True, capture_output=True)
        r = subprocess.run([binary, "parsearchive", "--database", db, mbox], capture_output=True, text=True)
        print(r.stdout, end="")
        if r.returncode != 0:
            print(r.stderr)
            print("0 passed, 1 failed")
            return 1
        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            base = re.search(r"(http://\S+)/", server.stdout.readline()).group(1)
            r = subprocess.run([sys.executable, tool, base, "linuxppc-dev", reference],
                               capture_output=True, text=True, timeout=600)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=120)  # an ASan build checks for leaks at exit
        print(r.stdout[-3000:], end="")
        ok = "agreement: 100.00%" in r.stdout
        print(f"{int(ok)} passed, {int(not ok)} failed")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
