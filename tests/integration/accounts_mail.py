#!/usr/bin/env python3
"""Accounts and mail against the real binary and a real SMTP server
(aiosmtpd on 127.0.0.1, started and stopped here): registration by mail,
password change and reset, linking an address, opt-out, the batched
state-change notification of `patchbay cron`, and an SMTP relay that is
down (mail stays queued; a later cron delivers it).

usage: accounts_mail.py --binary build/patchbay
Last line: "N passed, M failed"; exit 77 when aiosmtpd is missing."""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Results  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
from web_session import Browser  # noqa: E402

SITE = "http://patchbay.test"


def patch_mail(n, sender, subject):
    return ("""From: %s
To: web@lists.example.org
List-Id: <web.lists.example.org>
Subject: [PATCH] %s
Date: Mon, 01 Jan 2024 10:0%d:00 +0000
Message-Id: <acct-%d@example.com>

A patch.

---
diff --git a/f%d b/f%d
--- a/f%d
+++ b/f%d
@@ -1 +1 @@
-a
+b
""" % (sender, subject, n, n, n, n, n, n)).encode()


class Env:
    def __init__(self, binary, tmp, smtp):
        self.pb = [binary]
        self.db = "sqlite://" + os.path.join(tmp, "acct.db")
        self.smtp = smtp
        self.config = os.path.join(tmp, "mail.conf")
        with open(self.config, "w") as f:
            f.write("# test relay\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = %d\n"
                    "from = Patchwork <patchwork@patchbay.test>\nsite_url = %s\n" % (smtp.port, SITE))
        self.fast = os.path.join(tmp, "fast.conf")
        with open(self.fast, "w") as f:
            f.write(open(self.config).read() + "notification_delay_minutes = 0\n")

    def run(self, *args, input=None, check=True):
        r = subprocess.run(self.pb + list(args) + ["--database", self.db], capture_output=True,
                           input=input)
        if check and r.returncode != 0:
            sys.exit("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace")))
        return r


def token_of(body, action=None):
    pat = r'name="csrfmiddlewaretoken" value="(\w+)"'
    if action:
        pat = r'action="%s"[^>]*><input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"' % re.escape(action)
    m = re.search(pat, body)
    return m.group(1) if m else None


def post_form(b, path, fields, token_page=None, action=None):
    status, _, body = b.request("GET", token_page or path)
    fields = dict(fields)
    fields["csrfmiddlewaretoken"] = token_of(body, action)
    return b.request("POST", path, fields)


def link_in(msg):
    m = re.search(r"(http://patchbay\.test/\S+)", msg.get_content())
    return m.group(1)[len(SITE):] if m else None


def login(base, username, password):
    b = Browser(base)
    status, headers, _ = post_form(b, "/user/login/", {"username": username, "password": password})
    return b, status == 302 and headers.get("Location") == "/user/"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    if not SmtpSink.available():
        # Debian's python3-aiosmtpd lives in the system interpreter.
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        print("SKIP: python3-aiosmtpd is not installed")
        return 77
    r = Results()
    smtp = SmtpSink()
    smtp.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = Env(args.binary, tmp, smtp)
            env.run("migrate")
            env.run("project", "create", "--linkname", "web", "--name", "Web",
                    "--listid", "web.lists.example.org", "--listemail", "web@lists.example.org")
            env.run("project", "edit", "web", "--send-notifications", "yes")
            env.run("user", "create", "--username", "maria", "--email", "maria@example.com",
                    "--password", "maintainer pw", "--maintainer", "web", "--token", "a" * 40)
            env.run("parsemail", input=patch_mail(1, "Ann Author <ann@example.com>", "one"))
            env.run("parsemail", input=patch_mail(2, "Ann Author <ann@example.com>", "two"))
            env.run("parsemail", input=patch_mail(3, "Olga Optout <olga@example.com>", "three"))
            env.run("parsemail", input=patch_mail(4, "Ann Author <ann.alt@example.com>", "four"))
            srv = subprocess.Popen(env.pb + ["serve", "--database", env.db, "--listen", "127.0.0.1:0",
                                             "--threads", "2", "--mail-config", env.config],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = srv.stdout.readline()
                m = re.match(r"patchbay: serving on (http://127\.0\.0\.1:\d+)/", line)
                if not m:
                    sys.exit("server did not start: %r %s" % (line, srv.stderr.read()))
                scenario(m.group(1), env, smtp, r)
            finally:
                srv.send_signal(signal.SIGTERM)
                srv.wait(timeout=30)
    finally:
        smtp.stop()
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


def scenario(base, env, smtp, r):
    # Registration: an inactive user, a confirmation mail, then the link.
    b = Browser(base)
    status, _, body = b.request("GET", "/register/")
    r.check("register page", status == 200 and 'id="id_username"' in body, status)
    status, _, body = post_form(b, "/register/", {"first_name": "Ann", "last_name": "Author",
                                                  "email": "ann@example.com", "username": "ann",
                                                  "password": "first pw"})
    r.check("registration accepted", status == 200 and "Registration successful!" in body
            and "A confirmation email has been sent to ann@example.com" in body, (status, body[-400:]))
    status, _, body = post_form(b, "/register/", {"email": "ann@example.com", "username": "ANN",
                                                  "password": "x"})
    r.check("duplicate username and address refused",
            "This username is already taken. Please choose another." in body and
            "This email address is already in use for the account &quot;ann&quot;." in body, body[-800:])
    _, ok = login(base, "ann", "first pw")
    r.check("inactive user cannot log in", not ok)
    mails = smtp.wait_for("ann@example.com")
    r.check("confirmation mail sent", len(mails) == 1, len(mails))
    if not mails:
        return
    sender, rcpts, msg, raw = mails[0]
    r.check("confirmation mail headers", msg["Subject"] == "Patchwork account confirmation" and
            msg["From"] == "Patchwork <patchwork@patchbay.test>" and sender == "patchwork@patchbay.test"
            and msg["Message-ID"] and msg["Date"], (msg["Subject"], msg["From"], sender))
    confirm = link_in(msg)
    r.check("confirmation link", confirm and re.match(r"^/confirm/[0-9a-f]{40}/$", confirm), confirm)
    status, _, body = Browser(base).request("GET", confirm)
    r.check("registration confirmed", status == 200 and "Registration confirmed!" in body, status)
    status, _, body = Browser(base).request("GET", confirm)
    r.check("confirmation used twice", "already been processed" in body)
    status, _, _ = Browser(base).request("GET", "/confirm/" + "0" * 40 + "/")
    r.check("unknown confirmation 404", status == 404, status)
    ann, ok = login(base, "ann", "first pw")
    r.check("log in after confirmation", ok)

    # The account owns Ann's earlier patches: she may change their state.
    status, _, body = ann.request("PATCH", "/api/patches/1/", {"state": "rfc"},
                                  headers={"X-CSRFToken": ann.cookie("csrftoken")})
    r.check("submitter edits own patch after registration", status == 200, (status, body[:200]))
    status, _, body = ann.request("PATCH", "/api/patches/4/", {"state": "rfc"},
                                  headers={"X-CSRFToken": ann.cookie("csrftoken")})
    r.check("other address not yet linked", status == 403, status)

    # Link a second address by mail.
    status, _, body = post_form(ann, "/user/link/", {"email": "ann.alt@example.com"}, "/user/",
                                "/user/link/")
    r.check("link request", status == 200 and "A confirmation email has been sent to ann.alt@example.com"
            in body, (status, body[-300:]))
    mails = smtp.wait_for("ann.alt@example.com")
    r.check("link mail", len(mails) == 1 and mails[0][2]["Subject"] ==
            "Patchwork email address confirmation", len(mails))
    if mails:
        status, _, body = Browser(base).request("GET", link_in(mails[0][2]))
        r.check("link confirmation needs the login", status == 302 and "/user/login/?next=/confirm/" in
                Browser(base).request("GET", link_in(mails[0][2]))[1].get("Location", ""), status)
        status, _, body = ann.request("GET", link_in(mails[0][2]))
        r.check("address linked", status == 200 and "successfully linked" in body, status)
    status, _, body = ann.request("GET", "/user/")
    r.check("profile lists linked addresses", "<td>ann.alt@example.com</td>" in body and
            "<td>ann@example.com</td>" in body, body[-1500:])
    status, _, body = ann.request("PATCH", "/api/patches/4/", {"state": "rfc"},
                                  headers={"X-CSRFToken": ann.cookie("csrftoken")})
    r.check("linked address's patch editable", status == 200, status)

    # A new address that is an active user's primary e-mail: its first
    # mail's people row is theirs (an inactive user's is not).
    env.run("user", "create", "--username", "carl", "--email", "carl@example.com",
            "--password", "carl pw")
    post_form(Browser(base), "/register/", {"email": "dora@example.com", "username": "dora",
                                            "password": "dora pw"})
    env.run("parsemail", input=patch_mail(5, "Carl Coder <Carl@Example.com>", "five"))
    env.run("parsemail", input=patch_mail(6, "Dora Dev <dora@example.com>", "six"))
    carl, ok = login(base, "carl", "carl pw")
    status, _, body = carl.request("PATCH", "/api/patches/5/", {"archived": True},
                                   headers={"X-CSRFToken": carl.cookie("csrftoken")})
    r.check("new mail from a user's address is theirs", ok and status == 200, (status, body[:200]))
    status, _, body = carl.request("GET", "/api/people/?q=dora")
    r.check("inactive user's address stays unlinked", status == 200 and '"user":null' in
            body.replace(" ", ""), body[:300])
    status, _, body = carl.request("GET", "/user/")
    r.check("profile lists the new address", "<td>Carl@Example.com</td>" in body, body[-1500:])

    # OPTIONS answers with the page's methods, as Django's views do.
    for path, allow in (("/user/login/", "GET, POST, HEAD, OPTIONS"), ("/register/", "GET, POST, HEAD, OPTIONS"),
                        ("/user/logout/", "POST, OPTIONS"), ("/user/password-reset/", "GET, POST, HEAD, OPTIONS"),
                        ("/user/password-change/done/", "GET, HEAD, OPTIONS")):
        status, headers, body = Browser(base).request("OPTIONS", path)
        r.check("OPTIONS " + path, status == 200 and headers.get("Allow") == allow and body == "",
                (status, headers.get("Allow"), body[:100]))
    status, headers, _ = Browser(base).request("PUT", "/user/login/")
    r.check("PUT on login is 405 naming OPTIONS", status == 405 and
            headers.get("Allow") == "GET, POST, HEAD, OPTIONS", (status, headers.get("Allow")))

    # Profile settings.
    status, _, body = ann.request("GET", "/user/")
    tok = token_of(body, "/user/")
    status, _, body = ann.request("POST", "/user/", {"items_per_page": "25", "show_ids": "on",
                                                     "csrfmiddlewaretoken": tok})
    r.check("profile settings saved", status == 200 and 'name="items_per_page" value="25"' in body and
            'id="id_show_ids" checked' in body, status)
    status, _, body = ann.request("POST", "/user/", {"items_per_page": "-3", "csrfmiddlewaretoken": tok})
    r.check("bad profile setting refused", "greater than or equal to 0" in body)

    # Password change keeps this browser logged in; the old password stops working.
    status, _, body = post_form(ann, "/user/password-change/", {
        "old_password": "wrong", "new_password1": "second pw", "new_password2": "second pw"})
    r.check("password change wrong old", "Your old password was entered incorrectly" in body)
    status, headers, _ = post_form(ann, "/user/password-change/", {
        "old_password": "first pw", "new_password1": "second pw", "new_password2": "second pw"})
    r.check("password changed", status == 302 and headers["Location"] == "/user/password-change/done/",
            status)
    status, _, body = ann.request("GET", "/user/password-change/done/")
    r.check("still logged in after change", status == 200 and "changed successfully" in body, status)
    r.check("old password refused", not login(base, "ann", "first pw")[1])
    r.check("new password works", login(base, "ann", "second pw")[1])

    # Password reset by mail: a single-use link.
    anon = Browser(base)
    status, headers, _ = post_form(anon, "/user/password-reset/", {"email": "ANN@example.com"})
    r.check("reset requested", status == 302 and headers["Location"] == "/user/password-reset/mail-sent/",
            status)
    before = len(smtp.to("ann@example.com"))
    mails = smtp.wait_for("ann@example.com", before + 1 if before < 2 else 2)
    reset = [m for m in mails if m[2]["Subject"].startswith("Password reset on")]
    r.check("reset mail", len(reset) == 1, [m[2]["Subject"] for m in mails])
    if reset:
        path = link_in(reset[0][2])
        r.check("reset link form", re.match(r"^/user/password-reset/[\w-]+/[0-9a-z]+-[0-9a-f]{32}/$", path or ""), path)
        status, headers, body = anon.request("GET", path)
        r.check("reset form shows username", status == 200 and "Your username, in case you've forgotten: ann"
                in body and headers.get("Referrer-Policy") == "same-origin", status)
        fields = {"new_password1": "third pw", "new_password2": "other"}
        status, _, body = post_form(anon, path, fields)
        r.check("reset mismatch", "didn\u2019t match" in body)
        status, headers, _ = post_form(anon, path, {"new_password1": "third pw", "new_password2": "third pw"})
        r.check("reset done", status == 302 and headers["Location"] == "/user/login/", status)
        r.check("reset password works", login(base, "ann", "third pw")[1])
        status, _, body = anon.request("GET", path)
        r.check("reset link single use", "The password reset link was invalid" in body)
    post_form(Browser(base), "/user/password-reset/", {"email": "nobody@example.com"})
    r.check("reset of unknown address sends nothing", not smtp.wait_for("nobody@example.com", timeout=1))

    # Opt-out by mail.
    status, _, body = post_form(Browser(base), "/mail/", {"email": "olga@example.com"})
    r.check("mail settings page", "Patchwork <strong>may</strong> send automated notifications" in body)
    status, _, body = post_form(Browser(base), "/mail/optin/", {"email": "olga@example.com"}, "/mail/")
    r.check("opt-in refused when not opted out", "is not on the patchwork opt-out list" in body)
    status, _, body = post_form(Browser(base), "/mail/optout/", {"email": "olga@example.com"}, "/mail/")
    r.check("opt-out request", "Opt-out confirmation email sent" in body, body[-500:])
    mails = smtp.wait_for("olga@example.com")
    r.check("opt-out mail", len(mails) == 1 and mails[0][2]["Subject"] == "Patchwork opt-out request")
    if mails:
        status, _, body = Browser(base).request("GET", link_in(mails[0][2]))
        r.check("opt-out confirmed", "Opt-out confirmed" in body)
    status, _, body = post_form(Browser(base), "/mail/", {"email": "Olga@Example.com"})
    r.check("opted out", "Patchwork <strong>may not</strong> send automated notifications" in body)

    # State changes: Ann's two patches, Olga's one. Within the delay, no mail.
    maint = {"Authorization": "Token " + "a" * 40}
    for pid, state in ((1, "accepted"), (2, "changes-requested"), (3, "rejected"), (4, "accepted")):
        status, _, body = Browser(base).request("PATCH", "/api/patches/%d/" % pid, {"state": state},
                                                headers=maint)
        r.check("maintainer sets state %d" % pid, status == 200, (status, body[:200]))
    ann_before = len(smtp.to("ann@example.com")) + len(smtp.to("ann.alt@example.com"))
    out = env.run("cron", "--mail-config", env.config).stdout.decode()
    r.check("cron waits for the settling delay", "0 mails for 0 changes" in out and
            "3 submitters postponed" in out, out)
    out = env.run("cron", "--mail-config", env.fast).stdout.decode()
    r.check("cron sends digests", "3 changes" in out, out)
    ann_mails = [m for m in smtp.messages if "Patch notification" in str(m[2]["Subject"])]
    to_ann = [m for m in ann_mails if "ann@example.com" in m[1]]
    r.check("one digest for ann's address", len(to_ann) == 1, [m[2]["Subject"] for m in ann_mails])
    if to_ann:
        msg = to_ann[0][2]
        text = msg.get_content()
        r.check("digest subject", msg["Subject"] == "[web] Patch notification: 2 patches updated", msg["Subject"])
        r.check("digest precedence", msg["Precedence"] == "bulk")
        r.check("digest body", "was: New" in text and "now: Accepted" in text and
                "now: Changes Requested" in text and SITE + "/project/web/patch/acct-1@example.com/" in text
                and SITE + "/mail/" in text, text)
    r.check("no mail to the opted-out submitter",
            not [m for m in smtp.to("olga@example.com") if "notification" in str(m[2]["Subject"])])
    r.check("one digest for the other address",
            len([m for m in smtp.to("ann.alt@example.com") if "notification" in str(m[2]["Subject"])]) == 1)
    count = len(smtp.messages)
    env.run("cron", "--mail-config", env.fast)
    r.check("second cron sends nothing", len(smtp.messages) == count)

    # The relay goes down: mail waits in the outbox; a later cron sends it.
    smtp.stop()
    status, _, body = post_form(Browser(base), "/register/", {"email": "late@example.com",
                                                              "username": "late", "password": "pw"})
    r.check("registration while relay down", "Registration successful!" in body)
    out = ""
    for _ in range(100):
        out = env.run("mail", "list").stdout.decode()
        if "late@example.com" in out and "1 queued" in out and re.search(r"late@example.com\s+1", out):
            break
        import time
        time.sleep(0.1)
    r.check("mail queued with its error", "1 queued" in out and "smtp://127.0.0.1" in out, out)
    res = env.run("cron", "--mail-config", env.fast, check=False)
    r.check("cron with relay down fails and keeps the mail", res.returncode == 1 and
            "1 failed, 1 queued" in res.stdout.decode(), (res.returncode, res.stdout, res.stderr))
    smtp.start()
    out = env.run("cron", "--mail-config", env.fast).stdout.decode()
    r.check("later cron delivers", "1 sent, 0 failed, 0 queued" in out, out)
    mails = smtp.wait_for("late@example.com")
    r.check("queued mail arrived", len(mails) == 1 and mails[0][2]["Subject"] == "Patchwork account confirmation")

    # Login throttling: five free failures from this address, then a wait.
    import time
    for i in range(6):
        b, ok = login(base, "ghost%d" % i, "guess")
    b = Browser(base)
    status, headers, body = post_form(b, "/user/login/", {"username": "ann", "password": "third pw"})
    r.check("throttled after failures", status == 429 and headers.get("Retry-After") == "1" and
            "Too many failed login attempts" in body, (status, headers.get("Retry-After")))
    time.sleep(1.1)
    r.check("the wait over, the right password works", login(base, "ann", "third pw")[1])
    r.check("a success clears the address", login(base, "ann", "third pw")[1])

    # A superuser edits project settings and maintainers from the web.
    env.run("user", "create", "--username", "root", "--email", "root@example.com", "--password",
            "root pw", "--superuser")
    maria, ok = login(base, "maria", "maintainer pw")
    status, _, _ = maria.request("GET", "/admin/project/web/")
    r.check("project admin page refused to a maintainer", status == 403, status)
    status, headers, _ = Browser(base).request("GET", "/admin/project/web/")
    r.check("project admin page asks anonymous visitors to log in", status == 302 and
            headers["Location"].startswith("/user/login/?next="), status)
    root, ok = login(base, "root", "root pw")
    status, _, body = root.request("GET", "/admin/project/web/")
    r.check("project admin page", status == 200 and 'value="web.lists.example.org"' in body and
            'id="id_send_notifications" checked' in body, status)
    fields = {"linkname": "web", "name": "Web Renamed", "listid": "web.lists.example.org",
              "listemail": "web@lists.example.org", "commit_url_format": "https://git.example.org/c/{}",
              "use_tags": "on"}
    status, _, body = post_form(root, "/admin/project/web/", fields)
    out = env.run("project", "show", "web").stdout.decode()
    r.check("project settings saved from the web", status == 200 and "Saved." in body and
            "name: Web Renamed" in out and "send_notifications: no" in out and
            "commit_url_format: https://git.example.org/c/{}" in out, out)
    status, _, body = post_form(root, "/admin/project/web/", dict(fields, linkname="bad slug!"))
    r.check("bad linkname refused", "The link name must be" in body)
    status, headers, _ = post_form(root, "/admin/project/web/maintainers/", {"add": "ann"},
                                   "/admin/project/web/")
    r.check("maintainer added from the web", status == 302 and
            "ann <" in env.run("project", "maintainers", "web").stdout.decode())
    status, _, body = root.request("GET", "/admin/project/web/")
    tok = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"><input type="hidden" name="remove" '
                    r'value="ann"', body)
    status, _, _ = root.request("POST", "/admin/project/web/maintainers/",
                                {"remove": "ann", "csrfmiddlewaretoken": tok.group(1) if tok else ""})
    r.check("maintainer removed from the web",
            "ann <" not in env.run("project", "maintainers", "web").stdout.decode())

    # Expiry: the never-confirmed registration goes after the validity period.
    env.run("user", "create", "--username", "ann2", "--email", "ann@example.com")
    out = env.run("cron", "--mail-config", env.fast).stdout.decode()
    r.check("cron keeps pending registrations", "0 inactive users" in out, out)


if __name__ == "__main__":
    sys.exit(main())
