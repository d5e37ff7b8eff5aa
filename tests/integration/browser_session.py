#!/usr/bin/env python3
"""A real browser (headless Chromium through Selenium) logs in with the
login form, opens a patch on the browsable API, changes its state with the
page's PATCH form (its script sends the CSRF token), and logs out.

usage: browser_session.py --binary build/patchbay
Exit 77 (skipped) when Chromium, chromedriver or python3-selenium is
missing; scripts/install-deps.sh installs them."""

import argparse
import json
import os
import re
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import web_session  # noqa: E402  (the same database setup)
import testdb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    sel = browser.require()

    r = web_session.Results()
    with tempfile.TemporaryDirectory() as tmp:
        db = testdb.new_url(tmp, "web.db")
        pb = [args.binary]
        web_session.run(pb + ["migrate", "--database", db])
        web_session.run(pb + ["project", "create", "--database", db, "--linkname", "web", "--name", "Web",
                              "--listid", "web.lists.example.org", "--listemail", "web@lists.example.org"])
        web_session.run(pb + ["user", "create", "--database", db, "--username", "maria", "--email",
                              "maria@example.com", "--password", web_session.PASSWORD, "--maintainer", "web"])
        web_session.run(pb + ["parsemail", "--database", db], input=web_session.MAIL)
        with browser.serving(sel, args.binary, db, tmp) as (driver, base):
            scenario(driver, sel.By, sel.WebDriverWait, base, r)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


def patch_state(base):
    with urllib.request.urlopen(base + "/api/patches/1/", timeout=10) as resp:
        return json.load(resp)["state"]


def scenario(driver, By, WebDriverWait, base, r):
    wait = WebDriverWait(driver, 20)
    driver.get(base + "/user/login/?next=/api/patches/1/%3Fformat%3Dapi")
    driver.find_element(By.ID, "id_username").send_keys("maria")
    driver.find_element(By.ID, "id_password").send_keys(web_session.PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login input[type=submit]").click()
    wait.until(lambda d: "/api/patches/1/" in d.current_url)
    r.check("login lands on next", driver.current_url == base + "/api/patches/1/?format=api", driver.current_url)
    r.check("browsable page shows the user",
            driver.find_element(By.CSS_SELECTOR, ".navbar .username").text == "maria")
    forms = driver.find_elements(By.CSS_SELECTOR, "form.raw-form")
    r.check("browsable page offers the form", len(forms) == 1)
    if not forms:
        return

    content = driver.find_element(By.ID, "id__content")
    content.clear()
    content.send_keys('{"state": "changes-requested"}')
    driver.find_element(By.CSS_SELECTOR, 'form.raw-form button[data-method="PATCH"]').click()
    wait.until(lambda d: "HTTP 200 OK" in d.page_source or "HTTP 403" in d.page_source)
    r.check("PATCH from the page succeeds", "HTTP 200 OK" in driver.page_source,
            re.findall(r"HTTP \d+ [A-Za-z ]+", driver.page_source)[:1])
    # The page said "HTTP 200 OK" already for its GET: on a loaded machine the
    # PATCH's answer may still be on its way. Wait for the state, not a timer.
    try:
        wait.until(lambda d: patch_state(base) == "changes-requested")
    except Exception:  # noqa: BLE001 (a TimeoutException: checked just below)
        pass
    r.check("patch state changed", patch_state(base) == "changes-requested")

    # Log out with the navbar button on the API page; the profile then asks for a login.
    driver.get(base + "/api/patches/1/?format=api")
    driver.find_element(By.CSS_SELECTOR, ".navbar form.logout-form button").click()
    wait.until(lambda d: "Log in" in d.page_source)
    r.check("logged out", driver.find_element(By.CSS_SELECTOR, ".navbar .user a").text == "Log in")
    driver.get(base + "/user/")
    r.check("profile needs login again", "/user/login/" in driver.current_url, driver.current_url)


if __name__ == "__main__":
    browser.run_main(main)
