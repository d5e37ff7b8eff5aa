#!/usr/bin/env python3
"""Sums an auto_explain log (JSON plans with ANALYZE, as bench/pg_ingest_plans.sh
writes it) per statement: the plans each ran (node types, relations, indexes),
how often, and the rows one execution's scans read. Usage:
pg_plans_summary.py LOG REPORT [ROWS]: writes REPORT, prints the statements with
an execution that read more than ROWS rows (100) or a table scanned whole (a
sequential scan, or an index or bitmap scan without a condition)."""
import json, re, sys
log, report, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100
text = open(log, encoding="utf-8", errors="replace").read()
# Each entry: "... LOG:  duration: X ms  plan:\n{json}" up to the next log line.
entries = re.split(r"(?m)^\S.*?LOG:\s+duration: [0-9.]+ ms\s+plan:\n", text)[1:]
stats = {}
def walk(node, shape, acc, depth=0):
    kind = node["Node Type"]
    rel = node.get("Relation Name", "")
    idx = node.get("Index Name", "")
    cond = any(k in node for k in ("Index Cond", "Recheck Cond"))
    shape.append("  " * depth + " ".join(x for x in (kind, rel, idx and "using " + idx) if x))
    loops = node.get("Actual Loops", 1) or 1
    if "Scan" in kind and rel:
        read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)) * loops
        acc["read"] += read
        if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")
                                  and not cond):
            acc["whole"].add(f"{kind} {rel}")
    for child in node.get("Plans", []):
        walk(child, shape, acc, depth + 1)
for n, e in enumerate(entries):
    body = e[: e.rfind("}") + 1]
    try:
        doc = json.loads(body)
    except ValueError:
        continue
    q = re.sub(r"\s+", " ", doc.get("Query Text", "")).strip()
    shape, acc = [], {"read": 0, "whole": set()}
    walk(doc["Plan"], shape, acc)
    s = stats.setdefault(q, {"calls": 0, "plans": {}, "max": 0, "sum": 0, "whole": set()})
    s["calls"] += 1
    key = "\n".join(shape)
    p = s["plans"].setdefault(key, [0, n, n, 0])
    p[0] += 1; p[2] = n; p[3] = max(p[3], acc["read"])
    s["max"] = max(s["max"], acc["read"]); s["sum"] += acc["read"]
    s["whole"] |= acc["whole"]
with open(report, "w") as f:
    for q, s in sorted(stats.items(), key=lambda kv: -kv[1]["sum"]):
        f.write(f"== {s['calls']} calls, rows read {s['sum']} (at most {s['max']} in one): {q[:300]}\n")
        for key, (calls, a, b, mx) in s["plans"].items():
            f.write(f"  -- {calls} calls (entries {a}..{b}), at most {mx} rows read\n")
            f.write("".join("     " + line + "\n" for line in key.split("\n")))
print(f"{len(entries)} plans logged, {len(stats)} statements")
flagged = [(q, s) for q, s in stats.items() if s["max"] > limit or s["whole"]]
print(f"statements with an execution reading more than {limit} rows or a whole-table scan: {len(flagged)}")
for q, s in sorted(flagged, key=lambda kv: -kv[1]["sum"]):
    print(f"  {s['calls']} calls, {s['sum']} rows read, at most {s['max']}; {', '.join(sorted(s['whole'])) or 'no whole scan'}: {q[:160]}")
