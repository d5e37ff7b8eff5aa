"""Headless Chromium through Selenium for the browser tests
(browser_session.py, browser_ui.py, browser_accounts.py): finding the
browser, serving a database to it, and one rule for a machine that cannot
run them (exit 77, skipped; scripts/install-deps.sh installs what they
need)."""

import contextlib
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import types

SKIP = 77


class Skip(Exception):
    """This machine cannot run a browser test; the message says why."""


def find(*names):
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    return None


def require(*extra_modules):
    """Selenium's pieces, the browser and chromedriver, or Skip. Without
    Selenium in this python the script runs again under Debian's
    /usr/bin/python3, where python3-selenium installs."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
        for m in extra_modules:
            importlib.import_module(m)
    except ImportError:
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        raise Skip("python3-selenium%s is not installed" %
                   "".join(" or python3-" + m.split(".")[0] for m in extra_modules))
    browser = find("chromium", "chromium-browser", "google-chrome")
    driver_path = find("chromedriver")
    if not browser or not driver_path:
        raise Skip("chromium or chromedriver is not installed")
    return types.SimpleNamespace(webdriver=webdriver, WebDriverException=WebDriverException,
                                 Service=Service, By=By, WebDriverWait=WebDriverWait,
                                 browser=browser, driver_path=driver_path)


@contextlib.contextmanager
def serving(sel, binary, db, tmp, serve_args=(), chrome_args=()):
    """`patchbay serve` on `db` and a headless Chromium: yields (driver,
    base URL); both are stopped on the way out. Skip when Chromium does not
    start here (an environment problem, not a failure)."""
    srv = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0",
                            "--threads", "2", *serve_args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    options = sel.webdriver.ChromeOptions()
    options.binary_location = sel.browser
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              *chrome_args, "--user-data-dir=" + os.path.join(tmp, "profile")):
        options.add_argument(a)
    driver = None
    try:
        line = srv.stdout.readline()
        m = re.match(r"patchbay: serving on (http://127\.0\.0\.1:\d+)/", line)
        if not m:
            sys.exit("server did not start: %r" % line)
        try:
            driver = sel.webdriver.Chrome(service=sel.Service(executable_path=sel.driver_path),
                                          options=options)
        except sel.WebDriverException as e:
            raise Skip("chromium did not start: %s" % str(e).splitlines()[0])
        yield driver, m.group(1)
    finally:
        if driver:
            driver.quit()
        srv.send_signal(signal.SIGTERM)
        srv.wait(timeout=30)


def run_main(main):
    """sys.exit(main()), with Skip printed and turned into exit 77."""
    try:
        code = main()
    except Skip as e:
        print("SKIP %s" % e)
        code = SKIP
    sys.exit(code)
