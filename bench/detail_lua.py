#!/usr/bin/env python3
"""Writes a wrk Lua script that GETs /api/patches/<id>/ for a seeded random
sample of the ids in IDS_FILE (one per line), cycling through them.

usage: detail_lua.py IDS_FILE OUT.lua COUNT STRIDE
  COUNT   how many ids to sample (seeded: the same ids every run)
  STRIDE  each wrk thread starts STRIDE ids after the previous one
"""
import random
import sys

ids_file, out, count, stride = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids = [line.strip() for line in open(ids_file) if line.strip()]
random.Random(1).shuffle(ids)
ids = ids[:count]
with open(out, "w") as f:
    f.write("local ids = {%s}\n" % ",".join(ids))
    # Each wrk thread has its own Lua state; give each a different start.
    f.write("local n = #ids\nlocal i = 0\nlocal threads = 0\n")
    f.write("setup = function(thread) threads = threads + 1 thread:set('start', threads * %d) end\n" % stride)
    f.write("init = function(args) i = (start or 0) % n end\n")
    f.write('request = function() i = i % n + 1 '
            'return wrk.format("GET", "/api/patches/" .. ids[i] .. "/") end\n')
