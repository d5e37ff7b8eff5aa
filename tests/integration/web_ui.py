#!/usr/bin/env python3
"""The maintainer side of the web UI (issue #10) against the real binary, as
browsers use it (urllib with a cookie jar, Python stdlib only): every page's
status and key content, the permission rules for anonymous visitors, a
non-maintainer, the submitter, the delegate, a maintainer and a superuser,
and CSRF on every form.

usage: web_ui.py --binary build/patchbay
Last line: "N passed, M failed"; exit status 1 on any failure."""

import argparse
import html
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
from web_session import Browser  # noqa: E402

PASSWORD = "correct horse"
LIST = "List-Id: <ui.lists.example.org>\nTo: ui@lists.example.org\n"


def mail(msgid, subject, sender, date, body, extra=""):
    return ("From: %s\n%sSubject: %s\nDate: %s\nMessage-Id: <%s>\n%s\n%s" % (
        sender, LIST, subject, date, msgid, extra, body)).encode()


DIFF = "---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
PAT = "Pat Submitter <pat@example.com>"
ZED = "Zed Other <zed@example.com>"

MAILS = [
    mail("cover-1@example.com", "[PATCH 0/2] ui: a series with a cover", PAT,
         "Mon, 01 Jan 2024 09:00:00 +0000", "The cover letter.\n"),
    mail("series-1@example.com", "[PATCH 1/2] ui: first of the series", PAT,
         "Mon, 01 Jan 2024 09:01:00 +0000", "First.\n\nSigned-off-by: Pat Submitter <pat@example.com>\n" + DIFF,
         "In-Reply-To: <cover-1@example.com>\nReferences: <cover-1@example.com>\n"),
    mail("series-2@example.com", "[PATCH 2/2] ui: second of the series", PAT,
         "Mon, 01 Jan 2024 09:02:00 +0000", "Second.\n" + DIFF,
         "In-Reply-To: <cover-1@example.com>\nReferences: <cover-1@example.com>\n"),
    mail("alpha@example.com", "[PATCH] ui: alpha change", ZED,
         "Tue, 02 Jan 2024 10:00:00 +0000", "Alpha.\n" + DIFF),
    mail("beta@example.com", "[PATCH] ui: beta change", ZED,
         "Wed, 03 Jan 2024 10:00:00 +0000", "Beta.\n" + DIFF),
    mail("reply-1@example.com", "Re: [PATCH] ui: alpha change", "Ada Reviewer <ada@example.com>",
         "Thu, 04 Jan 2024 10:00:00 +0000",
         "> Alpha.\n\nLooks good.\n\nAcked-by: Ada Reviewer <ada@example.com>\n",
         "In-Reply-To: <alpha@example.com>\nReferences: <alpha@example.com>\n"),
]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd), r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def build_db(binary, tmp):
    """A database with two projects, five users (maria maintains 'ui'; sam
    is the submitter Pat; dave is a delegate; eve nobody; root a
    superuser), four patches, a cover letter and a review reply.
    Returns (path, url, maria's API token, {username: id})."""
    path = os.path.join(tmp, "ui.db")
    db = "sqlite://" + path
    pb = [binary]
    run(pb + ["migrate", "--database", db])
    run(pb + ["project", "create", "--database", db, "--linkname", "ui", "--name", "UI",
              "--listid", "ui.lists.example.org", "--listemail", "ui@lists.example.org"])
    run(pb + ["project", "create", "--database", db, "--linkname", "other", "--name", "Other",
              "--listid", "other.lists.example.org", "--listemail", "other@lists.example.org"])
    for user, email, extra in [("maria", "maria@example.com", ["--maintainer", "ui"]),
                               ("sam", "pat@example.com", []),
                               ("dave", "dave@example.com", []),
                               ("eve", "eve@example.com", []),
                               ("root", "root@example.com", [])]:
        run(pb + ["user", "create", "--database", db, "--username", user, "--email", email,
                  "--password", PASSWORD] + extra)
    for m in MAILS:
        run(pb + ["parsemail", "--database", db], input=m)
    token = run(pb + ["user", "token", "--database", db, "maria"]).strip().split()[-1]
    with sqlite3.connect(path) as con:
        ids = dict(con.execute("SELECT username, id FROM users"))
        con.execute("UPDATE users SET is_superuser = 1, is_staff = 1 WHERE username = 'root'")
        # sam is the submitter Pat (the person of his address); dave is
        # the delegate of 'beta' without being a maintainer.
        con.execute("UPDATE people SET user_id = ? WHERE email = 'pat@example.com'", (ids["sam"],))
        con.execute("UPDATE patches SET delegate_id = ? WHERE msgid = '<beta@example.com>'", (ids["dave"],))
        con.execute("UPDATE projects SET commit_url_format = 'https://git.example.org/c/{}', "
                    "list_archive_url = 'https://lore.example.org/ui/', "
                    "list_archive_url_format = 'https://lore.example.org/ui/{}/'")
    _touch(path)
    return path, db, token, ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        path, db, token, users = build_db(args.binary, tmp)
        pb = [args.binary]
        # Behind a proxy: absolute URLs and .pwclientrc use the configured origin
        # (http: an https origin makes the cookies Secure, which urllib keeps off http).
        srv = subprocess.Popen(pb + ["serve", "--database", db, "--listen", "127.0.0.1:0", "--threads", "2",
                                     "--base-url", "http://patches.example.org"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            m = re.match(r"patchbay: serving on (http://127\.0\.0\.1:\d+)/", line)
            if not m:
                sys.exit("server did not start: %r" % line)
            scenario(m.group(1), r, path, token, users)
        finally:
            srv.send_signal(signal.SIGTERM)
            srv.wait(timeout=30)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


def login(base, username):
    b = Browser(base)
    _, _, body = b.request("GET", "/user/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body).group(1)
    status, _, _ = b.request("POST", "/user/login/", {"username": username, "password": PASSWORD,
                                                      "csrfmiddlewaretoken": token})
    assert status == 302, (username, status)
    return b


def csrf(body):
    m = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', body)
    return m.group(1) if m else ""


def text(body):
    """The body with entities decoded (messages quote with ' and ")."""
    return html.unescape(body)


def rows(body):
    """Patch names of the list's rows, in order."""
    return re.findall(r'<td class="col-name"><a href="[^"]*">([^<]*)</a>', body)


def api(base, token, method, path, data=None):
    b = Browser(base)
    return b.request(method, path, data, {"Authorization": "Token " + token})


def bundle_choices(body):
    """The (id, name) pairs of the form's "Add to bundle" choice."""
    m = re.search(r'<select name="bundle_id"[^>]*>(.*?)</select>', body, re.S)
    return re.findall(r'<option value="(\d+)">([^<]*)</option>', m.group(1)) if m else []


def patch_ids(base):
    _, _, body = Browser(base).request("GET", "/api/patches/?project=ui&order=id")
    return {p["msgid"].strip("<>"): p["id"] for p in json.loads(body)}


def scenario(base, r, dbpath, token, users):
    pid = patch_ids(base)
    anon = Browser(base)
    L = "/project/ui/list/"

    # --- The list, anonymous: filters, summary, sorting, empty list.
    st, _, body = anon.request("GET", L)
    r.check("list 200", st == 200, st)
    r.check("default filters in summary", "State = <strong>Action Required</strong>" in body and
            "Archived = <strong>No</strong>" in body, body[:2000])
    r.check("remove state filter link asks for any state", 'href="?state=*"' in body)
    r.check("all four patches listed", len(rows(body)) == 4, rows(body))
    r.check("no checkboxes for anonymous visitors", 'name="patch_id:' not in body and "check-all" not in body)
    r.check("tag header from the project's tags", ">A/R/T<" in body)
    r.check("acked patch shows its count", '1 Acked-by / 0 Reviewed-by / 0 Tested-by">1 - -<' in body)
    st, _, body = anon.request("GET", L + "?state=banana")
    r.check("invalid state -> default", "State = <strong>Action Required</strong>" in body and len(rows(body)) == 4)
    st, _, body = anon.request("GET", L + "?q=alpha")
    r.check("search", rows(body) == ["[PATCH] ui: alpha change".replace("[PATCH] ", "")] or
            rows(body) == ["ui: alpha change"], rows(body))
    r.check("search in summary with remove link", "Search = <strong>alpha</strong>" in body and 'href="?"' in body)
    st, _, body = anon.request("GET", L + "?q=nothing-matches-this")
    r.check("no patches to display", "No patches to display" in body and "0 patches" in body)
    person = re.search(r'\?submitter=(\d+)">Pat Submitter<', Browser(base).request("GET", L)[2]).group(1)
    st, _, body = anon.request("GET", L + "?submitter=" + person)
    r.check("submitter by id", sorted(rows(body)) == ["[1/2] ui: first of the series", "[2/2] ui: second of the series"],
            rows(body))
    r.check("submitter filter summary", "Submitter = <strong>Pat Submitter</strong>" in body)
    st, _, body = anon.request("GET", L + "?submitter=zed")
    r.check("submitter by name fragment", sorted(rows(body)) == ["ui: alpha change", "ui: beta change"], rows(body))
    st, _, body = anon.request("GET", L + "?delegate=Nobody")
    r.check("delegate Nobody", "ui: beta change" not in rows(body) and len(rows(body)) == 3, rows(body))
    st, _, body = anon.request("GET", L + "?delegate=%d" % users["dave"])
    r.check("delegate by id", rows(body) == ["ui: beta change"], rows(body))
    st, _, body = anon.request("GET", L + "?delegate=dav")
    r.check("delegate by username fragment", rows(body) == ["ui: beta change"], rows(body))
    series = re.search(r'first of the series</a></td>\n<td class="col-series"><a href="\?series=(\d+)"',
                       anon.request("GET", L)[2])
    st, _, body = anon.request("GET", L + "?series=" + series.group(1))
    r.check("series filter", sorted(rows(body)) == ["[1/2] ui: first of the series", "[2/2] ui: second of the series"],
            rows(body))
    st, _, body = anon.request("GET", L + "?order=name")
    r.check("sort by name", rows(body) == sorted(rows(body)), rows(body))
    r.check("active column links to the reverse", 'href="?order=-name"' in body)
    st, _, body = anon.request("GET", L + "?order=-name")
    r.check("sort by name reversed", rows(body) == sorted(rows(body), reverse=True), rows(body))
    st, _, body = anon.request("GET", L)
    r.check("default order newest first", rows(body)[0] == "ui: beta change", rows(body))
    st, _, body = anon.request("GET", L + "?order=date")
    r.check("order=date oldest first", rows(body)[-1] == "ui: beta change", rows(body))
    st, _, body = anon.request("GET", L + "?archive=true")
    r.check("archived only: none yet", "No patches to display" in body)

    # --- Autocomplete.
    st, h, body = anon.request("GET", "/submitter/?q=pa")
    r.check("autocomplete needs 3 characters", st == 200 and body == "" and h["Content-Type"] == "application/json")
    st, _, body = anon.request("GET", "/submitter/?q=pat")
    r.check("submitter autocomplete", json.loads(body)[0]["email"] == "pat@example.com", body)
    st, _, body = anon.request("GET", "/delegate/?q=mar&l=1")
    r.check("delegate autocomplete", json.loads(body) == [{"pk": users["maria"], "name": "maria"}], body)

    # --- Pagination with a per-user page size.
    with sqlite3.connect(dbpath) as con:
        con.execute("UPDATE users SET items_per_page = 1 WHERE username = 'maria'")
    maria = login(base, "maria")
    st, _, body = maria.request("GET", L)
    r.check("page size from the profile", len(rows(body)) == 1, rows(body))
    r.check("pagination top and bottom", body.count('class="paginator"') == 2)
    r.check("numbered pages", 'title="Page 2"' in body and ">4</a>" in body)
    st, _, body = maria.request("GET", L + "?page=99")
    r.check("page beyond the end -> last page", '<span class="curr" title="Current Page">4</span>' in body)
    with sqlite3.connect(dbpath) as con:
        con.execute("UPDATE users SET items_per_page = 100, show_ids = 1 WHERE username = 'maria'")
    st, _, body = maria.request("GET", L)
    r.check("ID column when the profile asks for it", '<th class="id">ID</th>' in body and
            '<td class="id">%d</td>' % pid["alpha@example.com"] in body)
    with sqlite3.connect(dbpath) as con:
        con.execute("UPDATE users SET show_ids = 0 WHERE username = 'maria'")

    # --- Bulk changes.
    st, _, body = maria.request("GET", L)
    r.check("checkboxes and select all for users", 'name="patch_id:%d"' % pid["alpha@example.com"] in body and
            'id="check-all"' in body)
    r.check("maintainers in the bulk delegate list", '<option value="%d">maria</option>' % users["maria"] in body)
    tok = csrf(body)
    form = {"csrfmiddlewaretoken": tok, "form": "patchlistform", "action": "Update",
            "state": "3", "delegate": "*", "archived": "*",
            "patch_id:%d" % pid["alpha@example.com"]: "on", "patch_id:%d" % pid["beta@example.com"]: "on"}
    st, _, body = maria.request("POST", L, dict(form, csrfmiddlewaretoken=""))
    r.check("bulk update without csrf -> 403", st == 403 and "CSRF verification failed" in body, st)
    st, _, body = anon.request("POST", L, form)
    r.check("anonymous bulk update refused", st in (302, 403), st)
    st, _, body = maria.request("POST", L, form)
    r.check("bulk update", st == 200 and "2 patches updated" in body, body[:3000])
    st, _, b = api(base, token, "GET", "/api/patches/%d/" % pid["alpha@example.com"])
    r.check("bulk state stored", json.loads(b)["state"] == "accepted", b[:200])
    st, _, body = maria.request("POST", L, dict(form, state="*", archived="True"))
    r.check("bulk archive", "2 patches updated" in body)
    st, _, body = maria.request("GET", L + "?archive=true&state=*")
    r.check("archived patches listed", sorted(rows(body)) == ["ui: alpha change", "ui: beta change"], rows(body))
    st, _, body = maria.request("POST", L, dict(form, state="banana"))
    r.check("invalid bulk form", "The submitted form data was invalid" in body)
    st, _, body = maria.request("POST", L, {"csrfmiddlewaretoken": tok, "form": "patchlistform",
                                            "action": "Update", "state": "1", "delegate": "*", "archived": "*"})
    r.check("nothing selected", "No patches selected; nothing updated" in body)
    st, _, body = maria.request("POST", L, dict(form, state="1", archived="False", delegate=str(users["maria"])))
    r.check("bulk delegate and unarchive", "2 patches updated" in body)

    eve = login(base, "eve")
    st, _, body = eve.request("GET", L)
    st, _, body = eve.request("POST", L, dict(form, csrfmiddlewaretoken=csrf(body), state="4"))
    r.check("non-maintainer bulk update refused per patch",
            "You don't have permissions to edit patch 'ui: alpha change'" in text(body) and
            "No patches updated" in body, body[:3000])
    sam = login(base, "sam")
    st, _, body = sam.request("GET", L)
    sform = dict(form, csrfmiddlewaretoken=csrf(body), state="5")
    sform["patch_id:%d" % pid["series-1@example.com"]] = "on"
    st, _, body = sam.request("POST", L, sform)
    r.check("submitter may change only his own", "1 patch updated" in body and
            "permissions to edit patch 'ui: alpha change'" in text(body), body[:3000])

    # --- To-do list and the navbar count (alpha and beta delegated to maria).
    st, _, body = maria.request("GET", "/project/ui/list/")
    r.check("navbar to-do count", re.search(r'todo <span class="badge">2</span>', body) is not None)
    st, h, _ = maria.request("GET", "/user/todo/")
    r.check("one to-do list -> its page", st == 302 and h["Location"] == "/user/todo/ui/", (st, h.get("Location")))
    st, _, body = maria.request("GET", "/user/todo/ui/")
    r.check("to-do list", sorted(rows(body)) == ["ui: alpha change", "ui: beta change"] and
            "Delegate = <strong>maria</strong>" in body, rows(body))
    st, _, body = maria.request("GET", "/user/")
    r.check("profile to-do count", "You have 2 patches in your todo list." in body and
            "You have no bundles." in body, body[-2500:])
    st, h, _ = anon.request("GET", "/user/todo/")
    r.check("to-do needs login", st == 302 and h["Location"].startswith("/user/login/?next="))

    # --- Bundles from the list.
    st, _, body = maria.request("GET", L)
    bform = {"csrfmiddlewaretoken": csrf(body), "form": "patchlistform", "action": "Create",
             "bundle_name": "review",
             "patch_id:%d" % pid["alpha@example.com"]: "on", "patch_id:%d" % pid["beta@example.com"]: "on"}
    st, _, body = maria.request("POST", L, bform)
    r.check("bundle created", "Bundle review created" in body and "added to bundle review" in body, body[:3000])
    st, _, body = maria.request("POST", L, bform)
    r.check("bundle name taken", "You already have a bundle called \"review\"" in text(body))
    st, _, body = maria.request("POST", L, dict(bform, bundle_name="a/b"))
    r.check("bundle name with slash", "Bundle names can't contain slashes" in text(body))
    bid = re.search(r'<option value="(\d+)">review</option>', body).group(1)
    addf = {"csrfmiddlewaretoken": csrf(body), "form": "patchlistform", "action": "Add", "bundle_id": bid,
            "patch_id:%d" % pid["series-1@example.com"]: "on", "patch_id:%d" % pid["alpha@example.com"]: "on"}
    st, _, body = maria.request("POST", L, addf)
    r.check("add to bundle", "added to bundle review" in body and "already in bundle review" in body)
    st, _, b = api(base, token, "GET", "/api/bundles/%s/" % bid)
    web_url = json.loads(b)["web_url"]
    bpath = urllib.parse.urlsplit(web_url).path
    st, _, body = maria.request("GET", bpath)
    r.check("bundle web_url answers 200 to its owner", st == 200, st)
    st, _, body = maria.request("GET", "/user/")
    r.check("profile lists the bundle", "You have the following bundle:" in body and
            '<li><a href="/bundle/maria/review/">review</a></li>' in body, body[-2500:])
    # The list's default state filter applies to bundles too (upstream).
    st, _, body = maria.request("GET", bpath + "?state=*")
    r.check("bundle page with every state", st == 200 and "Bundle settings" in body, (st, bpath))
    r.check("bundle in bundle order", rows(body) == ["ui: alpha change", "ui: beta change", "[1/2] ui: first of the series"],
            rows(body))
    # A bundle's page offers its own actions (remove, reorder), never
    # "Add to bundle" with the bundle itself; other bundles stay on offer.
    r.check("bundle page does not offer adding to itself",
            bundle_choices(body) == [] and 'name="removed_bundle_id" value="%s"' % bid in body,
            bundle_choices(body))
    st, _, lbody = maria.request("GET", L)
    st, _, lbody = maria.request("POST", L, {"csrfmiddlewaretoken": csrf(lbody), "form": "patchlistform",
                                             "action": "Create", "bundle_name": "other",
                                             "patch_id:%d" % pid["beta@example.com"]: "on"})
    other = re.search(r'<option value="(\d+)">other</option>', lbody).group(1)
    st, _, body = maria.request("GET", bpath + "?state=*")
    r.check("bundle page offers the other bundles", bundle_choices(body) == [(other, "other")],
            bundle_choices(body))
    st, _, body = maria.request("POST", bpath + "?state=*", {
        "csrfmiddlewaretoken": csrf(body), "form": "patchlistform", "action": "Add", "bundle_id": other,
        "patch_id:%d" % pid["alpha@example.com"]: "on"})
    r.check("add from a bundle page to another bundle", "added to bundle other" in body and
            len(rows(body)) == 3, rows(body))
    st, _, body = maria.request("GET", "/bundle/maria/other/")
    st, h, _ = maria.request("POST", "/bundle/maria/other/", {"csrfmiddlewaretoken": csrf(body), "form": "bundle",
                                                              "action": "delete"})
    r.check("bundle deleted from its page", st == 302 and h["Location"] == "/user/", st)
    st, _, body = maria.request("GET", bpath + "?state=*")
    st, _, page = anon.request("GET", bpath)
    r.check("private bundle 404 for anonymous", st == 404 and styled_404(anon, page), st)
    st, _, page = eve.request("GET", bpath)
    r.check("private bundle 404 for others", st == 404 and styled_404(eve, page), st)
    # Reorder: move the last one up.
    st, _, body = maria.request("POST", bpath + "?state=*", {"csrfmiddlewaretoken": csrf(body), "form": "patchlistform",
                                                "move": "up:%d" % pid["series-1@example.com"]})
    r.check("reorder with the up button", rows(body) == ["ui: alpha change", "[1/2] ui: first of the series",
                                                         "ui: beta change"], rows(body))
    st, _, body = post_pairs(maria, bpath + "?state=*", [
        ("csrfmiddlewaretoken", csrf(body)), ("form", "reorderform"),
        ("order_start", str(pid["alpha@example.com"])), ("neworder", str(pid["beta@example.com"])),
        ("neworder", str(pid["alpha@example.com"])), ("neworder", str(pid["series-1@example.com"]))])
    r.check("upstream reorder form", st == 200 and rows(body)[0] == "ui: beta change", rows(body))
    st, _, body = maria.request("POST", bpath + "?state=*", {"csrfmiddlewaretoken": csrf(body), "form": "patchlistform",
                                                "action": "Remove", "removed_bundle_id": bid,
                                                "patch_id:%d" % pid["series-1@example.com"]: "on"})
    r.check("remove from bundle", "removed from bundle review" in body and
            "[1/2] ui: first of the series" not in rows(body), rows(body))
    st, _, body = maria.request("POST", bpath, {"csrfmiddlewaretoken": csrf(body), "form": "bundle",
                                                "action": "update", "name": "review", "public": "on"})
    r.check("bundle made public", st == 200 and "It is <strong>public</strong>" in body, st)
    st, _, body = anon.request("GET", bpath)
    r.check("public bundle visible to anonymous", st == 200 and "Bundle settings" not in body, st)
    st, _, body = eve.request("GET", bpath)
    st, _, _ = eve.request("POST", bpath, {"csrfmiddlewaretoken": csrf(body), "form": "bundle",
                                           "action": "delete"})
    st2, _, _ = anon.request("GET", bpath)
    r.check("others cannot delete a bundle", st2 == 200, (st, st2))
    st, _, body = maria.request("GET", bpath)
    st, h, _ = maria.request("POST", bpath, {"csrfmiddlewaretoken": csrf(body), "form": "bundle",
                                             "action": "update", "name": "renamed", "public": "on"})
    r.check("rename redirects to the new URL", st == 302 and h["Location"] == "/bundle/maria/renamed/",
            (st, h.get("Location")))
    st, _, body = maria.request("GET", "/user/bundles/")
    r.check("user bundles", st == 200 and 'href="/bundle/maria/renamed/"' in body)
    st, _, body = maria.request("GET", "/project/ui/bundles/")
    r.check("project bundles", st == 200 and "renamed" in body)
    st, h, _ = maria.request("GET", "/user/bundle/%s/" % bid)
    r.check("old bundle URL redirects", st == 302 and h["Location"] == "/bundle/maria/renamed/", st)
    st, h, _ = maria.request("GET", "/user/bundle/%s/mbox/" % bid)
    r.check("old bundle mbox URL redirects", st == 302 and h["Location"] == "/bundle/maria/renamed/mbox/", st)
    st, _, page = eve.request("GET", "/user/bundle/%s/" % bid)
    r.check("old bundle URL of another user 404", st == 404 and styled_404(eve, page), st)
    st, _, body = maria.request("GET", "/user/bundles/")
    st, _, body = maria.request("POST", "/user/bundles/", {"csrfmiddlewaretoken": csrf(body),
                                                           "form_name": "deletebundleform", "bundle_id": bid})
    r.check("delete from the bundle list", "No bundles to display" in body, body[-1500:])

    # --- Patch page: who sees the form, who may post it.
    ppath = "/project/ui/patch/beta@example.com/"
    st, _, body = anon.request("GET", ppath)
    r.check("patch page 200", st == 200 and "ui: beta change" in body)
    r.check("no forms for anonymous", "Patch Properties" not in body and "Bundling" not in body)
    r.check("commit message with list archive link", "mailing list archive" in body)
    for who, client, shown in [("maintainer", maria, True), ("delegate", login(base, "dave"), False),
                               ("non-maintainer", eve, False), ("superuser", login(base, "root"), False)]:
        st, _, body = client.request("GET", ppath)
        r.check("properties form for the %s" % who, ("Patch Properties" in body) == shown, who)
    # beta is delegated to maria now (bulk); give it back to dave to test the delegate.
    with sqlite3.connect(dbpath) as con:
        con.execute("UPDATE patches SET delegate_id = ? WHERE msgid = '<beta@example.com>'", (users["dave"],))
    _touch(dbpath)
    dave = login(base, "dave")
    st, _, body = dave.request("GET", ppath)
    r.check("properties form for the delegate", "Patch Properties" in body)
    st, _, body = sam.request("GET", "/project/ui/patch/series-1@example.com/")
    r.check("properties form for the submitter", "Patch Properties" in body)
    r.check("signed-off-by highlighted", '<span class="signed-off-by">Signed-off-by:' in body)
    r.check("series box lists the cover", "[cover] " in body and "/project/ui/cover/cover-1@example.com/" in body)
    # Related patches and a pull URL, as the API and the parser set them.
    with sqlite3.connect(dbpath) as con:
        rel = con.execute("INSERT INTO patch_relations DEFAULT VALUES").lastrowid
        con.execute("UPDATE patches SET related_id = ? WHERE msgid IN ('<alpha@example.com>', "
                    "'<beta@example.com>')", (rel,))
        con.execute("UPDATE patches SET pull_url = 'https://git.example.org/ui.git' "
                    "WHERE msgid = '<alpha@example.com>'")
    _touch(dbpath)
    st, _, page = anon.request("GET", "/project/ui/patch/alpha@example.com/")
    related = re.search(r'<details class="related">(.*?)</details>', page, re.S)
    r.check("related patches listed", related and 'href="/project/ui/patch/beta@example.com/"' in related.group(1)
            and "alpha@example.com" not in related.group(1), related and related.group(1))
    r.check("pull URL as a link", '<a class="pull-url" href="https://git.example.org/ui.git">' in page)
    st, _, body = dave.request("POST", ppath, {"csrfmiddlewaretoken": csrf(body), "state": "2"})
    r.check("patch form needs the page's token", st == 403, st)
    st, _, body = dave.request("GET", ppath)
    st, _, body = dave.request("POST", ppath, {"csrfmiddlewaretoken": csrf(body), "state": "2",
                                               "delegate": str(users["dave"]), "commit_ref": "abc123",
                                               "archived": "on"})
    r.check("delegate updates the patch", "Patch updated" in body and "Under Review, archived" in body, body[:3000])
    r.check("commit linked through commit_url_format", 'href="https://git.example.org/c/abc123"' in body)
    st, _, body = eve.request("GET", ppath)
    st, _, _ = eve.request("POST", ppath, {"csrfmiddlewaretoken": csrf(body), "state": "1"})
    r.check("non-maintainer POST -> 403", st == 403, st)
    st, _, body = maria.request("GET", ppath)
    st, _, body = maria.request("POST", ppath, {"csrfmiddlewaretoken": csrf(body), "action": "createbundle",
                                                "name": "from-page"})
    r.check("create bundle from the patch page", "Bundle from-page created" in body)

    # --- Checks, comments.
    for state, ctx in [("success", "build"), ("fail", "test"), ("warning", "lint")]:
        api(base, token, "POST", "/api/patches/%d/checks/" % pid["alpha@example.com"],
            {"state": state, "context": ctx, "target_url": "https://ci.example.org/" + ctx,
             "description": ctx + " result"})
    st, _, body = anon.request("GET", "/project/ui/patch/alpha@example.com/")
    r.check("checks table", "maria/build" in body and 'href="https://ci.example.org/test"' in body and
            '<span class="state fail">fail</span>' in body)
    r.check("acked-by highlighted in the comment", '<span class="acked-by">Acked-by:' in body)
    r.check("quote highlighted", '<span class="quote">&gt; Alpha.</span>' in body)
    cid = re.search(r'<section class="comment" id="(\d+)">', body).group(1)
    r.check("comment permalink", 'href="#%s">#1</a>' % cid in body)
    r.check("no addressed buttons for anonymous", "Mark Addressed" not in body and "Mark Action Required" not in body)
    st, _, body = anon.request("GET", "/project/ui/list/?archive=both&state=*")
    r.check("fail is the coloured check count",
            '<span class="patchlistchecks ">1</span><span class="patchlistchecks ">1</span>'
            '<span class="patchlistchecks fail">1</span>' in body)
    st, _, body = maria.request("GET", "/project/ui/patch/alpha@example.com/")
    r.check("addressed button for the maintainer", "Mark Action Required" in body)
    st, _, body = maria.request("POST", "/project/ui/patch/alpha@example.com/", {
        "csrfmiddlewaretoken": csrf(body), "action": "comment-addressed", "comment_id": cid, "addressed": "true"})
    r.check("mark comment addressed", "Comment marked addressed" in body and "Mark Unaddressed" in body)
    st, _, body = eve.request("GET", "/project/ui/patch/alpha@example.com/")
    st, _, body = eve.request("POST", "/project/ui/patch/alpha@example.com/", {
        "csrfmiddlewaretoken": csrf(body), "action": "comment-addressed", "comment_id": cid, "addressed": "false"})
    r.check("others cannot change a comment", "permissions to edit this comment" in body)
    st, _, b = api(base, token, "GET", "/api/patches/%d/comments/" % pid["alpha@example.com"])
    web_url = urllib.parse.urlsplit(json.loads(b)[0]["web_url"]).path
    st, h, _ = anon.request("GET", web_url)
    r.check("comment web_url redirects to the anchor", st == 302 and h["Location"].endswith(
        "/project/ui/patch/alpha@example.com/#" + cid), (st, h.get("Location")))
    st, _, _ = anon.request("GET", h["Location"].split("#")[0])
    r.check("and the page answers 200", st == 200)

    # --- Cover page, cross redirects.
    st, _, body = anon.request("GET", "/project/ui/cover/cover-1@example.com/")
    r.check("cover page", st == 200 and "The cover letter." in body and "[1/2] ui: first of the series" in body)
    st, h, _ = anon.request("GET", "/project/ui/patch/cover-1@example.com/")
    r.check("patch URL of a cover -> cover page", st == 302 and h["Location"] == "/project/ui/cover/cover-1@example.com/")
    st, h, _ = anon.request("GET", "/project/ui/cover/alpha@example.com/")
    r.check("cover URL of a patch -> patch page", st == 302 and h["Location"] == "/project/ui/patch/alpha@example.com/")

    # --- Project, about, help, slashes, methods, 404.
    st, _, body = anon.request("GET", "/project/ui/")
    r.check("project page", st == 200 and "ui@lists.example.org" in body and "maria" in body and
            "pwclientrc" in body)
    st, h, body = anon.request("GET", "/project/ui/pwclientrc/")
    r.check(".pwclientrc with the --base-url origin", st == 200 and "url = http://patches.example.org/api/" in body
            and "running on patches.example.org." in body and ".pwclientrc" in h["Content-Disposition"], body)
    st, _, body = maria.request("GET", "/project/ui/pwclientrc/")
    r.check(".pwclientrc names the logged-in user", "username = maria" in body, body)
    st, _, body = anon.request("GET", "/about/")
    r.check("about page", st == 200 and "REST API" in body)
    r.check("about lists the site's administrators (active superusers)",
            '<a href="mailto:root@example.com">root</a>' in body and "maria@example.com" not in body, body[-800:])
    st, h, _ = anon.request("GET", "/help/pwclient/")
    r.check("help redirects", st == 301 and h["Location"] == "/about/")
    st, h, _ = anon.request("GET", "/project/ui/list?q=x")
    r.check("append slash", st == 301 and h["Location"] == "/project/ui/list/?q=x", (st, h.get("Location")))
    st, h, _ = anon.request("PUT", "/project/ui/list/", {})
    r.check("405 for PUT", st == 405 and "POST" in h["Allow"], st)
    st, _, _ = anon.request("DELETE", "/about/")
    r.check("405 for DELETE", st == 405, st)
    st, _, body = anon.request("GET", "/no/such/page/")
    r.check("styled 404", st == 404 and styled_404(anon, body) and 'href="/"' in body, st)
    st, _, body = anon.request("GET", "/project/nope/list/")
    r.check("unknown project 404", st == 404 and styled_404(anon, body), st)
    st, _, body = anon.request("GET", "/project/ui/patch/nope@example.com/")
    r.check("unknown patch 404", st == 404 and styled_404(anon, body), st)
    st, _, body = anon.request("GET", "/project/ui/cover/nope@example.com/")
    r.check("unknown cover 404", st == 404 and styled_404(anon, body), st)
    st, _, body = anon.request("GET", "/comment/987654/")
    r.check("unknown comment 404", st == 404 and styled_404(anon, body), st)
    st, _, body = anon.request("GET", "/bundle/maria/no-such-bundle/")
    r.check("unknown bundle 404", st == 404 and styled_404(anon, body), st)


def styled_404(b, body):
    """A 404 in the site's own layout whose every local link answers (after
    redirects) 200: not upstream's page with its missing static files."""
    if "Page not found" not in body or "/static/css/bootstrap" in body:
        return False
    for link in set(re.findall(r'(?:href|src)="(/[^"#]*)"', body)):
        st, h, _ = b.request("GET", html.unescape(link))
        while st in (301, 302) and h.get("Location", "").startswith("/"):
            st, h, _ = b.request("GET", h["Location"])
        if st != 200:
            print("  404 page link %s answers %s" % (link, st))
            return False
    return True


def post_pairs(b, path, pairs):
    """A form POST with repeated names (Browser.request takes a dict)."""
    req = urllib.request.Request(b.base + path, data=urllib.parse.urlencode(pairs).encode(), method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with b.opener.open(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def _touch(dbpath):
    """Bumps data_generation after a direct write, as every writer does."""
    with sqlite3.connect(dbpath) as con:
        cols = [row[1] for row in con.execute("PRAGMA table_info(data_generation)")]
        if cols:
            con.execute("UPDATE data_generation SET %s = %s + 1" % (cols[-1], cols[-1]))


if __name__ == "__main__":
    sys.exit(main())
