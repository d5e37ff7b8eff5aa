#!/usr/bin/env python3
"""SQL lives only under src/db/ (docs/architecture.md).

Fails, naming file and line, when a C++ string literal outside src/db/ holds
SQL. Adjacent literals ("SELECT a " "FROM b") are joined first, as the
compiler joins them, so a statement split over lines is seen whole; each
literal is also checked alone, which catches pieces of a statement built with
`+`. Comments and character literals are skipped.

The patterns are the shapes SQL has and English sentences do not: keywords in
capitals followed by what SQL puts after them (`DELETE FROM`, `UPDATE t SET`,
`WHERE x =`), numbered placeholders (`?1`), and statements a literal starts
with (`BEGIN`, `SAVEPOINT x`). A bare "DELETE" (an HTTP method) or
"Select a project" is not SQL.

  sql_home.py [SRC_DIR]          check the tree (default: ../src)
  sql_home.py --show FILE...     print what each literal of FILE matched
"""
import os
import re
import sys

EXEMPT = ("db",)  # top-level folders of src/ allowed to hold SQL

IDENT = r"[A-Za-z_][A-Za-z_0-9.]*"
PATTERNS = [
    (r"\bSELECT\s+(DISTINCT\s+)?([A-Za-z_*(0-9]|\?\d)", "SELECT"),
    (r"\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b", "INSERT INTO"),
    (r"\bUPDATE\s+" + IDENT + r"(\s+[A-Za-z_]+)?\s+SET\b", "UPDATE ... SET"),
    (r"\bDELETE\s+FROM\b", "DELETE FROM"),
    (r"\b(CREATE|DROP|ALTER)\s+(UNIQUE\s+|TEMP\s+|TEMPORARY\s+)?"
     r"(TABLE|INDEX|VIEW|TRIGGER)\b", "DDL"),
    (r"\bPRAGMA\s+[a-z_]", "PRAGMA"),
    (r"^\s*(BEGIN|COMMIT|ROLLBACK|END)(\s+(IMMEDIATE|DEFERRED|EXCLUSIVE|TRANSACTION))?\s*;?\s*$",
     "transaction"),
    (r"\b(SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK\s+TO)\b", "SAVEPOINT"),
    (r"^\s*RELEASE\s+" + IDENT, "RELEASE"),
    (r"\b(FROM|JOIN)\s+" + IDENT + r"(\s+(AS\s+)?[a-z_]+)?\s+(WHERE|ON|JOIN|ORDER|GROUP|LIMIT|USING)\b",
     "FROM/JOIN"),
    (r"\b(WHERE|AND|OR|ON|SET)\s+(NOT\s+)?" + IDENT +
     r"\s*(=|<>|!=|<=|>=|<|>|\bIN\b|\bIS\b|\bLIKE\b|\bBETWEEN\b|\bNOT\b)", "condition"),
    (r"\b(ORDER|GROUP)\s+BY\b", "ORDER/GROUP BY"),
    (r"\b(LIMIT|OFFSET)\s+(\?\d|\d)", "LIMIT/OFFSET"),
    (r"\bVALUES\s*\(", "VALUES"),
    (r"\bRETURNING\s+[a-z_*]", "RETURNING"),
    (r"\bON\s+CONFLICT\b", "ON CONFLICT"),
    (r"\bCOUNT\(\*\)", "COUNT(*)"),
    (r"\bIN\s*\(\s*(\?\d|SELECT\b)", "IN (...)"),
    (r"\?\d", "placeholder ?N"),
    # Pieces of a statement assembled with `+`: a literal that starts with a
    # clause keyword ("SELECT ", " FROM covers c", " WHERE ", " LIMIT ").
    (r"^\s*(SELECT|FROM|WHERE|AND|OR|ORDER\s+BY|GROUP\s+BY|HAVING|LIMIT|OFFSET|"
     r"(LEFT\s+|INNER\s+|CROSS\s+)?JOIN|VALUES|RETURNING|DESC|ASC|IS\s+(NOT\s+)?NULL|LIKE|"
     r"ESCAPE|BETWEEN|UNION|EXISTS|COALESCE\(|CAST\(|LOWER\(|IN\s*\()(\s|$|\(|\))", "clause piece"),
    (r"\bESCAPE\s+'", "ESCAPE"),
    (r"\b(FROM|JOIN)\s+[a-z_][a-z_0-9]*\b", "FROM table"),
    (r"\bLOWER\(", "LOWER("),
]
COMPILED = [(re.compile(p), name) for p, name in PATTERNS]


def literals(text):
    """Yields (line, [string pieces]) for each run of adjacent literals."""
    i, n, line = 0, len(text), 1
    run, run_line = [], 0
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        m = re.match(r'(u8|u|U|L)?R"([^()\\ ]{0,16})\(', text[i:i + 40])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = ")" + m.group(2) + '"'
            start = i + m.end()
            j = text.find(end, start)
            j = n if j < 0 else j
            if not run:
                run_line = line
            run.append(text[start:j])
            line += text.count("\n", i, j)
            i = j + len(end)
            continue
        if c == '"' or (c in "uUL8" and re.match(r'(u8|u|U|L)"', text[i:i + 3])
                        and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            start = text.index('"', i) + 1
            j = start
            buf = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt if nxt != "\n" else ""))
                    j += 2
                    continue
                if text[j] == "\n":
                    break  # unterminated: not a literal after all
                buf.append(text[j])
                j += 1
            if not run:
                run_line = line
            run.append("".join(buf))
            i = j + 1
            continue
        if c == "'":
            # character literal, or a digit separator (1'000'000)
            if i > 0 and text[i - 1].isalnum() and text[i - 1] not in "uUL":
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != "'" and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c.isspace():
            i += 1
            continue
        if run:
            yield run_line, run
            run = []
        i += 1
    if run:
        yield run_line, run


def matches(s):
    return [name for rx, name in COMPILED if rx.search(s)]


def check_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    found = []
    for line, pieces in literals(text):
        hits = set(matches("".join(pieces)))
        for p in pieces:
            hits.update(matches(p))
        if hits:
            found.append((line, sorted(hits), "".join(pieces)))
    return found


# Shapes the check must flag, and text it must leave alone; run before every
# check, so a pattern edit that blinds it fails CI instead of passing.
SELF_TEST_SQL = [
    'q(c, "SELECT id FROM patches WHERE id = ?1", id);',
    'q(c, "SELECT 1 FROM project_maintainers m "\n      "WHERE m.user_id = ?2");',
    'Query(c, "UPDATE patches SET hash = ?1 WHERE id = ?2").Run();',
    'Query(c, "DELETE FROM bundles WHERE id = ?1").Run();',
    'QueryInt(c, "INSERT INTO patch_relations DEFAULT VALUES RETURNING id");',
    'c.ExecScript("PRAGMA journal_mode=WAL");',
    'c.ExecScript("BEGIN IMMEDIATE");',
    'Query(c, "SAVEPOINT mail").Run();',
    'Query(c, "RELEASE SAVEPOINT mail").Run();',
    'std::string sql = "SELECT " + cols + " FROM covers c";',
    'sql += " WHERE " + col + " = " + args.Add(id);',
    'sql += " ORDER BY p.date" ;',
    'sql += " LIMIT " + n;',
    'auto s = R"sql(CREATE TABLE x (id INTEGER))sql";',
    'sql += std::string(" AND LOWER(p.name) LIKE ") + arg;',
]
SELF_TEST_CLEAN = [
    'if (req.method == "DELETE" || req.method == "UPDATE") {}',
    'return Error("Select a project from the list.");',
    'msg = "Update the patch state, then delete the bundle from your list";',
    'body = "# Just append this file to your existing ~/.pwclientrc\\n";',
    'h = "From: " + from + "\\nSubject: " + subject;',
    'e = "Expected a list of items but got type \\"str\\".";',
    '// SELECT id FROM patches WHERE id = ?1 (a comment, not a literal)',
    '/* UPDATE patches SET x = 1 WHERE id = 2 */',
    'char q = \'?\'; int n = 1\'000;',
    'std::string s = "Order by: date (newest first)";',
    'std::string s = "Begin";',
]


def self_test():
    bad = []
    for src in SELF_TEST_SQL:
        hits = [h for _, pieces in literals(src) for h in matches("".join(pieces))]
        hits += [h for _, pieces in literals(src) for p in pieces for h in matches(p)]
        if not hits:
            bad.append(f"not flagged: {src}")
    for src in SELF_TEST_CLEAN:
        for _, pieces in literals(src):
            hits = set(matches("".join(pieces)))
            for p in pieces:
                hits.update(matches(p))
            if hits:
                bad.append(f"flagged ({', '.join(sorted(hits))}): {src}")
    for b in bad:
        print(f"sql_home self-test: {b}")
    return not bad


def main(argv):
    if not self_test():
        return 1
    if len(argv) > 1 and argv[1] == "--show":
        for path in argv[2:]:
            for line, hits, s in check_file(path):
                print(f"{path}:{line}: {', '.join(hits)}: {s[:100]!r}")
        return 0
    src = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    src = os.path.normpath(src)
    bad = 0
    files = 0
    for root, dirs, names in os.walk(src):
        rel = os.path.relpath(root, src)
        top = rel.split(os.sep)[0]
        if top in EXEMPT:
            dirs[:] = []
            continue
        dirs.sort()
        for name in sorted(names):
            if not name.endswith((".cc", ".h", ".cpp", ".hpp", ".inc")):
                continue
            files += 1
            path = os.path.join(root, name)
            for line, hits, s in check_file(path):
                bad += 1
                print(f"{os.path.relpath(path, src)}:{line}: SQL outside src/db/ ({', '.join(hits)}): "
                      f"{s.strip()[:90]!r}")
    if files == 0:
        print(f"sql_home: no sources under {src}")
        return 1
    if bad:
        print(f"sql_home: {bad} string literal(s) hold SQL outside src/db/; "
              "move them into a db/ repository (docs/architecture.md)")
        return 1
    print(f"sql_home: {files} files outside src/db/, no SQL in their string literals")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
