#!/usr/bin/env python3
"""A maintainer triages in headless Chromium (Selenium): filters the list
by delegate and submitter, sorts it, changes the state of two patches with
the bulk form (select all first), creates a bundle from the list and
reorders it, changes a patch on its page, sees its checks, marks a comment
addressed, and follows a comment's web_url from the API. Then the pages
must fit a 390-px phone screen without sideways scrolling.

usage: browser_ui.py --binary build/patchbay [--screenshots DIR]
With --screenshots, the main pages are saved as PNGs (desktop and phone).
Exit 77 (skipped) when Chromium, chromedriver or python3-selenium is
missing."""

import argparse
import json
import os
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import web_ui  # noqa: E402  (the same database)
from run import Results  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--screenshots", help="directory for PNGs of the main pages")
    ap.add_argument("--database", help="serve this database for the screenshots instead (no checks)")
    ap.add_argument("--project", default="ui")
    args = ap.parse_args()
    sel = browser.require()

    r = Results()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database:
            db, token, users = args.database, None, None
        else:
            _, db, token, users = web_ui.build_db(args.binary, tmp)
        with browser.serving(sel, args.binary, db, tmp, chrome_args=["--hide-scrollbars"]) as (driver, base):
            ui = UI(driver, sel.By, sel.WebDriverWait(driver, 20), base)
            if args.database:
                ui.login("maria") if os.environ.get("SCREENSHOT_USER") else None
                screenshots(ui, args.screenshots, args.project)
            else:
                scenario(ui, r, token, users)
                phone(ui, r)
                if args.screenshots:
                    screenshots(ui, args.screenshots, "ui")
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


class UI:
    def __init__(self, driver, By, wait, base):
        self.d, self.By, self.wait, self.base = driver, By, wait, base

    def get(self, path):
        self.d.get(self.base + path)

    def css(self, sel):
        return self.d.find_elements(self.By.CSS_SELECTOR, sel)

    def one(self, sel):
        return self.d.find_element(self.By.CSS_SELECTOR, sel)

    def rows(self):
        return [e.text for e in self.css("#patchlist td.col-name a")]

    def login(self, user):
        self.get("/user/login/")
        self.one("#id_username").send_keys(user)
        self.one("#id_password").send_keys(web_ui.PASSWORD)
        self.one("form.login input[type=submit]").click()
        self.wait.until(lambda d: "/user/login/" not in d.current_url)

    def select(self, sel, value):
        from selenium.webdriver.support.ui import Select
        Select(self.one(sel)).select_by_value(value)

    def submit_and_wait(self, element):
        old = self.one("html")
        element.click()
        self.wait.until(lambda d: _stale(old))


def _stale(element):
    try:
        element.tag_name
        return False
    except Exception:
        return True


def api_get(base, path, token):
    req = urllib.request.Request(base + path, headers={"Authorization": "Token " + token})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def scenario(ui, r, token, users):
    ui.login("maria")
    L = "/project/ui/list/"

    # Bulk state and delegate change on every row (select all).
    ui.get(L + "?submitter=zed")
    ui.one("#check-all").click()
    boxes = ui.css("#patchlist tbody input[type=checkbox]")
    r.check("select all ticks every row", boxes and all(b.is_selected() for b in boxes))
    ui.select("#bulk_state", "7")
    ui.select("#bulk_delegate", str(users["maria"]))
    ui.submit_and_wait(ui.one("#patchforms input[name=action][value=Update]"))
    r.check("bulk update message", "2 patches updated" in ui.one("ul.messages").text)
    state = api_get(ui.base, "/api/patches/?project=ui&q=change", token)
    r.check("states changed", sorted(p["state"] for p in state) == ["changes-requested"] * 2,
            [p["state"] for p in state])

    # Filters through the form: open the summary, pick a delegate.
    ui.get(L + "?state=*")
    ui.one("#filtersummary").click()
    # Typing suggests users from /delegate/ (dave is no maintainer, so not
    # among the page's own suggestions).
    field = ui.one("#delegate_input")
    field.send_keys("dav")
    dave = '#delegate_options option[value="%d"]' % users["dave"]
    ui.wait.until(lambda d: ui.css(dave))
    r.check("delegate autocomplete from /delegate/", ui.one(dave).get_attribute("textContent") == "dave")
    field.clear()
    field.send_keys("maria")
    ui.submit_and_wait(ui.one("#filterform button[type=submit]"))
    r.check("filter by delegate", sorted(ui.rows()) == ["ui: alpha change", "ui: beta change"], ui.rows())
    r.check("filter summary", "Delegate = maria" in ui.one("#filtersummary").text, ui.one("#filtersummary").text)
    # Remove it with the summary's link, then filter by submitter name.
    ui.submit_and_wait(ui.css("#filtersummary a.filter-action")[-1])
    r.check("filter removed", len(ui.rows()) == 4, ui.rows())
    ui.one("#filtersummary").click()
    ui.one("#submitter_input").send_keys("Zed")
    ui.submit_and_wait(ui.one("#filterform button[type=submit]"))
    r.check("filter by submitter", sorted(ui.rows()) == ["ui: alpha change", "ui: beta change"], ui.rows())

    # Sort by clicking the column header, twice.
    ui.get(L)
    ui.submit_and_wait(ui.one("th.col-name a"))
    names = ui.rows()
    r.check("sort by name", names == sorted(names), names)
    ui.submit_and_wait(ui.one("th.col-name a"))
    r.check("sort reversed", ui.rows() == sorted(names, reverse=True), ui.rows())

    # Create a bundle from the list, then reorder it on its page.
    ui.get(L + "?state=*")
    for b in ui.css("#patchlist tbody input[type=checkbox]")[:3]:
        b.click()
    ui.one("#bundle_name").send_keys("triage")
    ui.submit_and_wait(ui.one("#patchforms input[name=action][value=Create]"))
    r.check("bundle created", "Bundle triage created" in ui.one("ul.messages").text)
    ui.get("/bundle/maria/triage/?state=*")
    before = ui.rows()
    ui.submit_and_wait(ui.css("td.col-reorder button[value^='down:']")[0])
    after = ui.rows()
    r.check("bundle reordered", len(before) == 3 and after == [before[1], before[0], before[2]], (before, after))
    # Drag the last row onto the first (HTML5 drag events, as a mouse sends them).
    old = ui.one("html")
    ui.d.execute_script("""
        var rows = document.querySelectorAll('#patchlist tbody tr');
        function fire(el, type) {
          el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: new DataTransfer()}));
        }
        fire(rows[2], 'dragstart'); fire(rows[0], 'dragover'); fire(rows[0], 'drop');""")
    ui.wait.until(lambda d: _stale(old))
    r.check("bundle reordered by dragging", ui.rows() == [after[2], after[0], after[1]], (after, ui.rows()))

    # Change a patch on its page; its checks are shown.
    api_post(ui.base, "/api/patches/%d/checks/" % _pid(ui.base, "alpha"), token,
             {"state": "fail", "context": "ci-build", "description": "build broke"})
    ui.get("/project/ui/patch/alpha@example.com/")
    r.check("checks shown", "maria/ci-build" in ui.one("#checks").text and "build broke" in ui.one("#checks").text)
    ui.select("#id_state", "3")
    ui.one("#id_commit_ref").send_keys("deadbeef")
    ui.submit_and_wait(ui.one("#patchform-properties input[type=submit]"))
    r.check("patch updated on its page", "Patch updated" in ui.one("ul.messages").text and
            "Accepted" in ui.one("#patch-state").text)

    # Mark the review comment addressed (the script PATCHes the API).
    ui.submit_and_wait(ui.one("section.comment button[name=addressed]"))
    r.check("comment needs action", ui.one("section.comment .comment-status").text == "Unaddressed")
    ui.submit_and_wait(ui.one("section.comment button[name=addressed]"))
    r.check("comment addressed", ui.one("section.comment .comment-status").text == "Addressed")
    comments = api_get(ui.base, "/api/patches/%d/comments/" % _pid(ui.base, "alpha"), token)
    r.check("addressed stored", comments[0]["addressed"] is True, comments[0].get("addressed"))
    # The API's web_url of the comment leads to it.
    ui.d.get(comments[0]["web_url"].replace("http://", "http://", 1) if comments[0]["web_url"].startswith(ui.base)
             else ui.base + "/comment/%d/" % comments[0]["id"])
    r.check("comment web_url", ui.d.current_url.endswith("#%d" % comments[0]["id"]) and
            len(ui.css("section.comment")) == 1, ui.d.current_url)


def phone(ui, r):
    """390 px wide: no page wider than the screen, nothing awkwardly wrapped."""
    ui.d.set_window_size(390, 844)
    for path in ["/project/ui/list/", "/project/ui/patch/alpha@example.com/", "/bundle/maria/triage/",
                 "/project/ui/", "/user/bundles/"]:
        ui.get(path)
        width = ui.d.execute_script("return document.documentElement.scrollWidth")
        inner = ui.d.execute_script("return window.innerWidth")
        r.check("fits a phone: " + path, width <= inner, (width, inner))
    # Nothing a user reads as one thing is broken over two lines: the
    # account links (no separator left dangling at a line's end), the
    # archive radios with their words, the form labels.
    ui.get("/project/ui/list/")
    one_line = """return Array.from(document.querySelectorAll(arguments[0])).filter(e => e.offsetParent)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect().height /
                   parseFloat(getComputedStyle(e).fontSize)]).filter(x => x[1] > 1.8);"""
    for what in ("header.top nav.account > *:not(.sep)", "#filterform fieldset label",
                 ".patchform td:first-child label"):
        broken = ui.d.execute_script(one_line, what)
        r.check("one line each on a phone: " + what, broken == [], broken)
    seps = ui.d.execute_script("return Array.from(document.querySelectorAll('header.top nav.account .sep'))"
                               ".map(e => !!e.offsetParent)")
    r.check("no separators between the account links on a phone", seps and not any(seps), seps)
    delegate = ui.d.execute_script("return Array.from(document.querySelectorAll('#patchlist .col-delegate'))"
                                   ".map(e => !!e.offsetParent)")
    r.check("the delegate column is shown on a phone", delegate and all(delegate), delegate)
    ui.d.set_window_size(1280, 900)
    ui.get("/project/ui/list/")
    seps = ui.d.execute_script("return Array.from(document.querySelectorAll('header.top nav.account .sep'))"
                               ".map(e => !!e.offsetParent)")
    r.check("separators between the account links on a desktop", seps and all(seps), seps)


def screenshots(ui, out, project):
    os.makedirs(out, exist_ok=True)
    first_patch = ui.d.execute_script("return null")
    ui.get("/project/%s/list/" % project)
    links = ui.css("#patchlist td.col-name a")
    first_patch = links[0].get_attribute("href") if links else None
    pages = [("list", "/project/%s/list/" % project), ("project", "/project/%s/" % project)]
    if project == "ui":  # after the scenario: its bundle
        pages.append(("bundle", "/bundle/maria/triage/?state=*"))
    for name, width, height in [("desktop", 1280, 900), ("phone", 390, 844)]:
        ui.d.set_window_size(width, height)
        for page, path in pages:
            ui.get(path)
            ui.d.save_screenshot(os.path.join(out, "%s-%s.png" % (page, name)))
        if first_patch:
            ui.d.get(first_patch)
            ui.d.save_screenshot(os.path.join(out, "patch-%s.png" % name))
    ui.d.set_window_size(1280, 900)


def _pid(base, word):
    with urllib.request.urlopen(base + "/api/patches/?project=ui&q=" + word, timeout=10) as resp:
        return json.load(resp)[0]["id"]


def api_post(base, path, token, data):
    req = urllib.request.Request(base + path, data=json.dumps(data).encode(), method="POST",
                                 headers={"Authorization": "Token " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


if __name__ == "__main__":
    browser.run_main(main)
