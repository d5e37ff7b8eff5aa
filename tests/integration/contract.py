#!/usr/bin/env python3
"""Contract test: patchbay's REST API against upstream Patchwork's OpenAPI schemas.

Builds a database the way an admin would (`patchbay demo` on demo/demo.mbox, a
maintainer with an API token), starts `patchbay serve`, makes a few writes
through the API (checks, bundles, patch state/delegate changes, comment, project
and user updates) so every resource has rows, then for every API version
1.0-1.4 and every path in that version's schema (../shared/openapi/v1.N.yaml)
does every GET (list and detail, with the token where the endpoint needs it)
and validates the status code and body against the schema's response for that
status. It also validates the documented error responses (404 on a missing id,
403 on people/users without auth, 400 on bad writes) and the write responses.

Schemas are OpenAPI 3.1 (JSON Schema 2020-12); `$ref`s resolve against the
whole yaml document. Formats are checked the way upstream's own API tests do:
iso8601, uri/url and email, with upstream's regexes (an empty string passes).

Where the schema disagrees with upstream's real (golden) behaviour, the golden
behaviour wins: the mismatch is listed in EXPECTED below with a reason, printed
as `xfail`, and counted apart from passes. An EXPECTED entry that no longer
matches anything is a failure, so the list does not rot.

Skips (exit 77, which ctest shows as skipped) when ../shared/openapi is absent.

usage: contract.py --binary build/patchbay --source .
"""
import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import testdb

TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4"]
MISSING = "999999"

# Schema mismatches with upstream's real behaviour (the golden tests pin that
# behaviour), as (version regex, method, path template regex, expected-status
# regex, problem regex, reason). A problem reads "<json path>: <message>",
# "status S, expected W; ..." or "body is not JSON: ...".
EXPECTED = [
    (r"1\.0", "get", r"/api/1\.0/(patches|covers)/\{id\}/comments", r"200|404",
     r"^status 404, expected 200|^body is not JSON",
     "the v1.0 schema lists comment lists, but upstream routes them only from 1.1 (HTML 404 in 1.0)"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    schema_dir = os.path.join(os.path.abspath(a.source), "..", "shared", "openapi")
    if not all(os.path.exists(os.path.join(schema_dir, f"v{v}.yaml")) for v in VERSIONS):
        print(f"skipped: {os.path.normpath(schema_dir)}/v1.N.yaml not found\n0 passed, 0 failed")
        return 77  # ctest: skipped
    try:
        import yaml
        from jsonschema import Draft202012Validator, FormatChecker
        from jsonschema.exceptions import best_match
    except ImportError as e:
        # The first python3 on PATH may not be Debian's, which the
        # python3-jsonschema and python3-yaml packages install into.
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        print(f"FAIL python3-jsonschema / python3-yaml not installed ({e}); run scripts/install-deps.sh")
        print("0 passed, 1 failed")
        return 1

    docs = {}
    for v in VERSIONS:
        with open(os.path.join(schema_dir, f"v{v}.yaml")) as f:
            docs[v] = yaml.safe_load(f)

    # Each response schema is reached by a JSON pointer into the whole yaml
    # document, so its "$ref": "#/components/..." resolve against that document:
    # through `referencing` (jsonschema >= 4.18), else RefResolver (Debian 12's 4.10).
    def pointer(*parts):
        return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)

    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        registries = {v: Registry().with_resource(f"urn:patchwork:v{v}",
                                                  Resource(contents=docs[v], specification=DRAFT202012))
                      for v in VERSIONS}

        def make_validator(v, ptr):
            return Draft202012Validator({"$ref": f"urn:patchwork:v{v}{ptr}"}, registry=registries[v],
                                        format_checker=formats)
    except ImportError:
        from jsonschema import RefResolver

        def make_validator(v, ptr):
            return Draft202012Validator({"$ref": ptr}, resolver=RefResolver.from_schema(docs[v]),
                                        format_checker=formats)

    # upstream's CUSTOM_FORMATTERS (patchwork/tests/api/validator.py): an empty
    # string passes every format (blank URLField/CharField values are ''); iso8601
    # there demands microseconds, which only holds for rows made by now(): dates
    # parsed from mail headers have none and DRF then omits the fraction.
    formats = FormatChecker(formats=())

    def _regex_format(name, regex):
        rx = re.compile(regex, re.IGNORECASE)
        formats.checks(name)(lambda s: not isinstance(s, str) or not s or bool(rx.match(s)))

    uri_rx = (r"^(?:http|ftp)s?://"
              r"(?:(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z]{2,6}\.?|[A-Z0-9-]{2,}\.?)|"
              r"localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})"
              r"(?::\d+)?(?:/?|[/?]\S+)$")
    _regex_format("uri", uri_rx)
    _regex_format("url", uri_rx)
    _regex_format("iso8601", r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$")
    _regex_format("email", r"[^@]+@[^@]+\.[^@]+")

    results = {"pass": 0, "fail": 0, "xfail": 0}
    per_version = {v: 0 for v in VERSIONS}
    used_expected = set()

    def expected_reason(v, method, tmpl, status, loc):
        for i, (rv, rm, rp, rs, rl, reason) in enumerate(EXPECTED):
            if (re.fullmatch(rv, v) and rm == method and re.fullmatch(rp, tmpl)
                    and re.fullmatch(rs, str(status)) and re.search(rl, loc)):
                used_expected.add(i)
                return reason
        return None

    def report(kind, line, detail=""):
        results[kind] += 1
        tag = {"pass": "ok   ", "fail": "FAIL ", "xfail": "xfail"}[kind]
        print(f"{tag} {line}" + (f"\n      {detail}" if detail else ""))

    def problems(v, method, tmpl, status, body, want):
        """What is wrong with one response, against docs[v]['paths'][tmpl][method]."""
        op = docs[v]["paths"][tmpl][method]
        if status != want:
            return [f"status {status}, expected {want}; body {str(body)[:200]}"]
        resp = op["responses"].get(str(status))
        if resp is None:
            return [f"status {status} not documented (documented: {sorted(op['responses'])})"]
        content = resp.get("content", {}).get("application/json")
        if content is None:
            return [] if body is None else ["schema documents no body"]
        if isinstance(body, Exception):
            return [f"body is not JSON: {body}"]
        if body == []:
            return ["empty list: no rows to validate (the setup should have made some)"]
        validator = make_validator(v, pointer("paths", tmpl, method, "responses", str(status), "content",
                                              "application/json", "schema"))
        out = []
        for e in sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]):
            loc = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
            if e.context:  # oneOf/anyOf: say which branch came closest and why
                e = best_match(e.context)
                loc += "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.relative_path)
            out.append(f"{loc}: {e.message[:300]}")
        return out

    def validate(v, method, tmpl, url_path, status, body, want):
        per_version[v] += 1
        name = f"v{v} {method.upper()} {url_path} -> {status}"
        unexpected, reasons = [], set()
        for msg in problems(v, method, tmpl, status, body, want):
            reason = expected_reason(v, method, tmpl, want, msg)
            if reason:
                reasons.add(reason)
            else:
                unexpected.append(msg)
        if unexpected:
            report("fail", name, "\n      ".join(unexpected[:8])
                   + (f"\n      ... {len(unexpected) - 8} more" if len(unexpected) > 8 else ""))
        elif reasons:
            report("xfail", name, "expected schema mismatch: " + "; ".join(sorted(reasons)))
        else:
            report("pass", name)

    # The validator must see through $refs: a patch whose id is a string and
    # whose project lacks its fields has to fail, or every "ok" below is hollow.
    bad = problems("1.3", "get", "/api/1.3/patches/{id}", 200, {"id": "1", "project": {"id": []}}, 200)
    report("pass" if len(bad) >= 2 else "fail", "validator self-check rejects a bad PatchDetail",
           "" if len(bad) >= 2 else f"only {bad}")

    binary = os.path.abspath(a.binary)
    with tempfile.TemporaryDirectory(prefix="patchbay-contract-") as tmp:
        db = testdb.new_url(tmp, "c.db")
        for args in (["demo", os.path.join(a.source, "demo/demo.mbox")],
                     ["user", "create", "--username", "maint", "--email", "maint@example.org",
                      "--password", "maint-pw", "--first-name", "Maint", "--last-name", "Ainer",
                      "--maintainer", "patchbay", "--token", TOKEN]):
            subprocess.run([binary, *args, "--database", db], check=True, capture_output=True)
        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            base = re.search(r"(http://\S+?)/?$", server.stdout.readline().strip()).group(1)

            def http(method, path, body=None, auth=None):
                """auth: None, 'token' or 'basic'. Returns (status, parsed JSON or exception)."""
                data = None
                headers = {"Accept": "application/json"}
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                if auth == "token":
                    headers["Authorization"] = "Token " + TOKEN
                elif auth == "basic":
                    headers["Authorization"] = "Basic " + base64.b64encode(b"maint:maint-pw").decode()
                req = urllib.request.Request(base + path, data=data, method=method.upper(), headers=headers)
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        status, raw = r.status, r.read()
                except urllib.error.HTTPError as e:
                    status, raw = e.code, e.read()
                if not raw:
                    return status, None
                try:
                    return status, json.loads(raw)
                except ValueError as e:
                    return status, e

            def needs_auth(v, tmpl, method):
                return bool(docs[v]["paths"][tmpl][method].get("security"))

            def call(v, method, tmpl, params, want, body=None, auth="auto", query=""):
                path = tmpl
                for k, val in params.items():
                    path = path.replace("{" + k + "}", str(val))
                path = path.rstrip("/") + "/" + query
                if auth == "auto":
                    auth = "token" if needs_auth(v, tmpl, method) else None
                status, data = http(method, path, body, auth)
                validate(v, method, tmpl, path, status, data, want)
                return status, data

            def has(v, tmpl, method):
                return method in docs[v]["paths"].get(tmpl, {})

            # ---- writes, in every version whose schema has the operation ----
            _, me = http("get", "/api/1.3/users/?q=maint", auth="token")
            uid = next((u["id"] for u in me if isinstance(me, list) and u["username"] == "maint"), 1)
            for v in VERSIONS:
                p = f"/api/{v}"
                n = VERSIONS.index(v)
                if has(v, p + "/patches/{patch_id}/checks", "post"):
                    call(v, "post", p + "/patches/{patch_id}/checks", {"patch_id": 1}, 201,
                         {"state": ["success", "warning", "fail", "pending", "success"][n],
                          "context": f"ci-v{n}", "target_url": f"https://ci.example.org/{v}/1",
                          "description": f"build for API {v}"})
                    call(v, "post", p + "/patches/{patch_id}/checks", {"patch_id": 1}, 400,
                         {"state": "no-such-state", "context": "ci"})
                    call(v, "post", p + "/patches/{patch_id}/checks", {"patch_id": MISSING}, 404,
                         {"state": "success", "context": "ci"})
                    call(v, "post", p + "/patches/{patch_id}/checks", {"patch_id": 1}, 403,
                         {"state": "success", "context": "ci"}, auth=None)
                if has(v, p + "/bundles", "post"):
                    call(v, "post", p + "/bundles", {}, 201,
                         {"name": f"contract-{v}", "public": True, "patches": [1, 2]}, auth="basic")
                    call(v, "post", p + "/bundles", {}, 400, {"name": f"contract-{v}", "patches": []})
                    call(v, "post", p + "/bundles", {}, 403, {"name": "anon", "patches": [1]}, auth=None)
                if has(v, p + "/bundles/{id}", "patch"):
                    call(v, "patch", p + "/bundles/{id}", {"id": 1}, 200, {"patches": [1, 2, 3]})
                    call(v, "patch", p + "/bundles/{id}", {"id": MISSING}, 404, {"public": True})
                if has(v, p + "/patches/{id}", "patch"):
                    call(v, "patch", p + "/patches/{id}", {"id": 2}, 200,
                         {"state": ["under-review", "accepted", "changes-requested", "under-review",
                                    "new"][n], "delegate": uid})
                    call(v, "patch", p + "/patches/{id}", {"id": 2}, 400, {"state": "no-such-state"})
                    call(v, "patch", p + "/patches/{id}", {"id": MISSING}, 404, {"state": "new"})
                    call(v, "patch", p + "/patches/{id}", {"id": 2}, 403, {"state": "new"}, auth=None)
                if v == VERSIONS[-1]:  # relations (1.2+): gives a patch-relation-changed event
                    call(v, "patch", p + "/patches/{id}", {"id": 3}, 200, {"related": [4]})
                if has(v, p + "/projects/{id}", "patch"):
                    call(v, "patch", p + "/projects/{id}", {"id": 1}, 200,
                         {"web_url": "https://example.org/patchbay"})
                if has(v, p + "/users/{id}", "patch"):
                    call(v, "patch", p + "/users/{id}", {"id": uid}, 200, {"first_name": "Maint"})
                    call(v, "patch", p + "/users/{id}", {"id": uid}, 403, {"first_name": "X"}, auth=None)

            # ---- ids for path parameters ----
            def first_comment(kind, count):
                for i in range(1, count + 1):
                    s, c = http("get", f"/api/1.3/{kind}/{i}/comments/")
                    if s == 200 and isinstance(c, list) and c:
                        return i, c[0]["id"]
                return None, None

            _, patches = http("get", "/api/1.3/patches/?per_page=100")
            _, covers = http("get", "/api/1.3/covers/?per_page=100")
            patch_c, patch_comment = first_comment("patches", len(patches))
            cover_c, cover_comment = first_comment("covers", len(covers))
            if cover_c is None:
                report("fail", "demo data has a cover letter comment", "no cover has comments")
            if patch_c is None:
                report("fail", "demo data has a patch comment", "no patch has comments")

            def ids_for(tmpl):
                """Every concrete parameter set for tmpl (projects/{id} gets id and linkname)."""
                res = tmpl.split("/")[3]
                if "{comment_id}" in tmpl:
                    parent, cid = (patch_c, patch_comment) if res == "patches" else (cover_c, cover_comment)
                    if parent is None:
                        return []
                    key = "patch_id" if res == "patches" else "cover_id"
                    return [{key: parent, "comment_id": cid}]
                if "{check_id}" in tmpl:
                    return [{"patch_id": 1, "check_id": 1}]
                if "{patch_id}" in tmpl:
                    return [{"patch_id": 1}]
                if "{id}" in tmpl:
                    ident = {"users": uid}.get(res, 1)
                    out = [{"id": ident}]
                    if res == "projects":
                        out.append({"id": "patchbay"})
                    return out
                return [{}]

            def missing_for(params):
                out = dict(params)
                last = list(out)[-1]
                out[last] = MISSING
                return out

            categories = set()
            for v in VERSIONS:
                for tmpl, ops in docs[v]["paths"].items():
                    for params in ids_for(tmpl):
                        if "get" in ops:
                            # lists: one page holding every row (upstream's max page size is 250)
                            query = "" if tmpl.endswith("}") or tmpl.endswith("/") else "?per_page=250"
                            st, data = call(v, "get", tmpl, params, 200, query=query)
                            if tmpl.endswith("/events") and isinstance(data, list):
                                categories.update(e.get("category") for e in data)
                            if "{" in tmpl and "404" in ops["get"]["responses"] and params.get("id") != "patchbay":
                                call(v, "get", tmpl, missing_for(params), 404)
                            if "403" in ops["get"]["responses"]:
                                call(v, "get", tmpl, params, 403, auth=None)
                        if "{comment_id}" in tmpl and "patch" in ops:
                            call(v, "patch", tmpl, params, 200, {"addressed": True}, auth="token")
                            call(v, "patch", tmpl, params, 403, {"addressed": False}, auth=None)
                            call(v, "patch", tmpl, missing_for(params), 404, {"addressed": True}, auth="token")
            print("event categories validated: " + ", ".join(sorted(c for c in categories if c)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)

    for i, e in enumerate(EXPECTED):
        if i not in used_expected:
            report("fail", f"expected exception no longer needed: {e[:5]}", e[5])
    print("validated responses per version: " + ", ".join(f"v{v} {n}" for v, n in per_version.items()))
    if results["xfail"]:
        print(f"{results['xfail']} expected schema mismatches (see EXPECTED)")
    print(f"{results['pass']} passed, {results['fail']} failed")
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
