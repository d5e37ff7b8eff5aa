#!/usr/bin/env python3
"""The binary's own relative relocations (src/cli/late_relocation.cc) are all
applied, each exactly once, before any command's code runs.

cmake/late_relocation.py leaves the dynamic loader only the first entries of
the RELR table and the program applies the rest. A `patchbay parsemail`
is stopped while it waits for its mail on stdin, and every word the table
relocates is read from its memory: each read-only one (RELRO) must hold its
link-time value plus the load address, each writable one must no longer
hold its link-time value (SQLite may since have written some). Exit 77
(skipped) for a binary that was not prepared (built without
PATCHBAY_STATIC_DEPS).

usage: late_relocation_test.py --binary build/patchbay
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cmake"))
import late_relocation  # noqa: E402


def relocated_words(data, relr, size):
    """Every address (link-time) the RELR table at file offset relr relocates."""
    out, where = [], 0
    for at in range(relr, relr + size, 8):
        e, = struct.unpack_from("<Q", data, at)
        if e & 1 == 0:
            out.append(e)
            where = e + 8
        else:
            out.extend(where + 8 * j for j in range(63) if e >> (j + 1) & 1)
            where += 63 * 8
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    elf = late_relocation.Elf(a.binary)
    table, size, by_loader = elf.late_relr()
    if size == 0:
        print("skipped: the binary was not prepared by cmake/late_relocation.py")
        return 77
    # The whole table, as the linker wrote it (its section), not as
    # pb_late_relr describes it.
    section = elf.section(".relr.dyn")
    assert (table, size) == (section[3], section[5]), "pb_late_relr does not name the whole .relr.dyn"
    assert elf.dynamic[late_relocation.DT_RELRSZ] == by_loader < size, "the loader applies more than its part"
    words = relocated_words(elf.data, section[4], section[5])
    relro = elf.relro()

    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.Popen([a.binary, "parsemail", "--database", f"sqlite:///{tmp}/db"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # Waiting for stdin: sleeping in read(2), its start-up done.
            for _ in range(200):
                time.sleep(0.05)
                with open(f"/proc/{p.pid}/stat") as f:
                    if f.read().split(") ")[1][0] == "S":
                        break
            with open(f"/proc/{p.pid}/maps") as f:
                base = min(int(line.split("-")[0], 16) for line in f
                           if line.split()[-1] == os.path.realpath(a.binary))
            with open(f"/proc/{p.pid}/mem", "rb") as mem:
                bad = []
                for w in words:
                    mem.seek(base + w)
                    now, = struct.unpack("<Q", mem.read(8))
                    linked, = struct.unpack_from("<Q", elf.data, elf.file_offset(w, 8))
                    if relro[0] <= w < relro[1]:
                        ok = now == linked + base
                    else:
                        ok = now != linked
                    if not ok:
                        bad.append((w, linked, now))
        finally:
            p.kill()
            p.wait()
    print(f"{len(words)} relocated words, {len(words) - len(bad)} as expected; "
          f"the loader applied the table's first {by_loader} bytes of {size}")
    for w, linked, now in bad[:10]:
        print(f"  {w:#x}: linked {linked:#x}, now {now:#x} (base {base:#x})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
