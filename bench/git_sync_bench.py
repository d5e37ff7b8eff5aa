#!/usr/bin/env python3
"""Precision and recall of `patchbay git-sync` on a real history.

Posts every non-merge commit of a repository (default: this project's own
history) as `git format-patch` series, some edited on the way in (reworded,
rebased, trailers added, v1/v2, resends, rejected look-alikes; see
tests/integration/gitsync_corpus.py), ingests them, runs git-sync on the
rewritten history and prints precision and recall per seed.

usage: bench/git_sync_bench.py --binary build/patchbay [--repo .] [--commits 400] [--seeds 1,2,3]
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import gitsync_corpus  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--commits", type=int, default=400)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    total = {"changes": 0, "right": 0, "expected": 0, "found": 0, "modified": 0}
    for seed in [int(s) for s in a.seeds.split(",")]:
        tmp = tempfile.mkdtemp(prefix="pb-gitsync-bench-")
        try:
            r = gitsync_corpus.run(binary, os.path.abspath(a.repo), tmp, "sqlite://" + tmp + "/db.sqlite",
                                   a.commits, seed)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        total["changes"] += r["state_changes"]
        total["right"] += r["state_changes_right"]
        total["expected"] += r["expected_accepted"]
        total["found"] += r["accepted_right"]
        total["modified"] += r["modified"]
        print("seed %d: %d commits, %d postings (%d refused by the parser); precision %.4f (%d/%d state changes right), "
              "recall %.4f (%d/%d accepted with the right commit; %d were modified when applied); by rule %s; rerun: %s; "
              "sync %.1f s, ingest %.1f s" %
              (seed, r["commits_synced"], r["postings"], len(r["not_stored"]), r["precision"], r["state_changes_right"],
               r["state_changes"], r["recall"], r["accepted_right"], r["expected_accepted"],
               r["modified"], r["by_rule"], r["rerun"], r["seconds"]["sync"], r["seconds"]["ingest"]))
        if a.verbose or r["wrong"]:
            for w in r["wrong"]:
                print("  wrong:", w)
        if a.verbose:
            for m in r["misses"]:
                print("  missed:", m)
    print("all seeds: precision %.4f (%d/%d), recall %.4f (%d/%d; %d postings were modified when applied)" %
          (total["right"] / max(total["changes"], 1), total["right"], total["changes"],
           total["found"] / max(total["expected"], 1), total["found"], total["expected"], total["modified"]))


if __name__ == "__main__":
    main()
