#!/usr/bin/env python3
"""Writes a realistic, deterministic mbox (mboxrd) of mailing-list patch traffic.

Usage:
    python3 bench/gen_mbox.py -n 5000 -o /tmp/bench-5k.mbox            # about 5,000 mails
    python3 bench/gen_mbox.py --patches 100000 -o /tmp/bench-100k.mbox # at least 100,000 patches
    python3 bench/gen_mbox.py -n 200 --seed 7 -o -                     # to stdout

What it contains (git format-patch / git send-email shaped):
  * patch series of 1..14 patches, in versions v1..v4; multi-patch series have a
    cover letter "[PATCH v2 00/14]" and the patches are threaded under it
    (--thread=shallow: In-Reply-To and References = the cover's Message-Id);
    some v2+ covers are sent in reply to the previous version's cover;
  * diffs touching 1..5 files with 1..4 hunks each, ~2-8 KB per patch, with
    exact hunk line counts, a diffstat and the "-- \\n2.39.2" signature;
  * review replies quoting the patch, carrying Reviewed-by / Acked-by /
    Tested-by (and some plain discussion without tags), also replies to covers;
  * some "[GIT PULL]" requests in the shape git request-pull prints;
  * some RFC 2047 encoded From names (UTF-8 Q and B encodings) and
    quoted-printable bodies with non-ASCII text;
  * List-Id: <bench.lists.example.org> on every mail (change with --list-id).

Python 3 standard library only. The same arguments always give the same bytes.
"""

import argparse
import base64
import hashlib
import random
import sys
import time

WORDS = (
    "add remove fix drop use convert handle avoid make rework clean up move rename "
    "simplify introduce support allow ensure check validate refactor export reorder "
    "split merge factor out prepare document annotate limit track"
).split()
NOUNS = (
    "irq handler device tree node clock driver buffer lock refcount page table "
    "mapping cache entry register window queue interrupt vector timer probe "
    "callback descriptor firmware table reset sequence power domain regulator "
    "dma channel spinlock mutex work item mailbox doorbell counter"
).split()
SUBSYS = [
    "powerpc/64s", "powerpc/pseries", "powerpc/powernv", "powerpc/mm", "powerpc/kvm",
    "net: ethernet", "drm/amd", "mm", "block", "scsi: ibmvfc", "crypto: vmx",
    "tty: hvc", "pci: rpadlpar", "selftests/powerpc", "arch/powerpc/kexec",
]
DIRS = [
    "arch/powerpc/kernel", "arch/powerpc/mm", "arch/powerpc/platforms/pseries",
    "arch/powerpc/platforms/powernv", "arch/powerpc/include/asm", "drivers/net/ethernet/ibm",
    "drivers/scsi", "drivers/tty/hvc", "drivers/pci/hotplug", "mm", "block",
    "tools/testing/selftests/powerpc", "drivers/crypto/vmx", "include/linux",
]
FILES = ["setup", "irq", "time", "pci", "dma", "hash_utils", "radix", "init", "core", "main",
         "probe", "ops", "fault", "traps", "smp", "iommu", "eeh", "rtas", "lpar", "hotplug"]

ASCII_PEOPLE = [
    ("Michael Ellerman", "mpe@example.org"), ("Nicholas Piggin", "npiggin@example.org"),
    ("Christophe Leroy", "christophe.leroy@example.org"), ("Aneesh Kumar", "aneesh@example.org"),
    ("Alexey Kardashevskiy", "aik@example.org"), ("Oliver O'Halloran", "oohall@example.org"),
    ("Michael Neuling", "mikey@example.org"), ("Nathan Lynch", "nathanl@example.org"),
    ("Tyrel Datwyler", "tyreld@example.org"), ("Ravi Bangoria", "ravi@example.org"),
    ("Jordan Niethe", "jniethe@example.org"), ("Daniel Axtens", "dja@example.org"),
    ("Sandipan Das", "sandipan@example.org"), ("Gautham Shenoy", "ego@example.org"),
    ("Madhavan Srinivasan", "maddy@example.org"), ("Segher Boessenkool", "segher@example.org"),
]
# (display name, email); these get RFC 2047 encoded From headers.
UNICODE_PEOPLE = [
    ("Jörg Müller", "joerg.mueller@example.org"), ("Cédric Le Goater", "clg@example.org"),
    ("Frédéric Barrat", "fbarrat@example.org"), ("Łukasz Wiśniewski", "lukasz@example.org"),
    ("Björn Töpel", "bjorn@example.org"), ("Søren Ærø", "soren@example.org"),
    ("Takahiro 高橋", "takahashi@example.org"), ("Zoë Ångström", "zoe@example.org"),
]
REVIEWERS = ASCII_PEOPLE[:8] + UNICODE_PEOPLE[:3]

C_TYPES = ["int", "long", "unsigned long", "u64", "u32", "bool", "void *", "struct device *",
           "struct page *", "size_t"]
C_IDENTS = ["ret", "rc", "val", "addr", "size", "flags", "count", "idx", "nr", "mask", "pte",
            "pfn", "irq", "cpu", "node", "dev", "entry", "offset", "len", "state"]
C_FUNCS = ["lock_irq", "unlock_irq", "read_reg", "write_reg", "alloc_buf", "free_buf", "map_page",
           "unmap_page", "flush_range", "probe_dev", "of_get_property", "kzalloc", "kfree",
           "pr_debug", "pr_err", "WARN_ON", "BUG_ON", "mb", "smp_wmb", "spin_lock",
           "spin_unlock", "mutex_lock", "mutex_unlock", "rtas_call", "plpar_hcall"]

DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TZS = [0, 60, 120, 330, 480, 540, 600, -300, -420, -240]


def rfc2047(name, rng):
    """Encodes a display name as git send-email / mutt / Thunderbird do."""
    if all(ord(c) < 128 for c in name):
        return name if name.replace(" ", "").replace("-", "").isalnum() else '"%s"' % name
    data = name.encode("utf-8")
    if rng.random() < 0.6:
        out = []
        for b in data:
            ch = chr(b)
            if b == 0x20:
                out.append("_")
            elif ch.isalnum() and b < 128:
                out.append(ch)
            else:
                out.append("=%02X" % b)
        return "=?UTF-8?q?%s?=" % "".join(out)
    return "=?utf-8?B?%s?=" % base64.b64encode(data).decode("ascii")


def qp_encode(text):
    """Quoted-printable (RFC 2045) with soft line breaks at 76 columns."""
    out_lines = []
    for line in text.split("\n"):
        enc = []
        for b in line.encode("utf-8"):
            if (33 <= b <= 126 and b != 61) or b == 32:
                enc.append(chr(b))
            else:
                enc.append("=%02X" % b)
        if enc and enc[-1] == " ":
            enc[-1] = "=20"
        cur, width, pieces = [], 0, []
        for tok in enc:
            if width + len(tok) > 75:
                pieces.append("".join(cur) + "=")
                cur, width = [], 0
            cur.append(tok)
            width += len(tok)
        pieces.append("".join(cur))
        out_lines.extend(pieces)
    return "\n".join(out_lines)


class Gen:
    def __init__(self, seed, list_id):
        self.rng = random.Random(seed)
        self.list_id = list_id
        self.list_addr = list_id.replace(".lists.", "@lists.", 1) if ".lists." in list_id \
            else "list@" + list_id
        self.t = 1546300800  # 2019-01-01T00:00:00Z
        self.counter = 0
        self.out = []
        self.nmails = 0
        self.npatches = 0
        self.bytes = 0
        self.sink = None

    # ---- helpers -------------------------------------------------------
    def tick(self, lo=20, hi=900):
        self.t += self.rng.randint(lo, hi)
        return self.t

    def date(self, t, tzmin):
        lt = time.gmtime(t + tzmin * 60)
        sign = "+" if tzmin >= 0 else "-"
        return "%s, %d %s %d %02d:%02d:%02d %s%02d%02d" % (
            DAY[lt.tm_wday], lt.tm_mday, MON[lt.tm_mon - 1], lt.tm_year, lt.tm_hour, lt.tm_min,
            lt.tm_sec, sign, abs(tzmin) // 60, abs(tzmin) % 60)

    def msgid(self, t, email, suffix=""):
        self.counter += 1
        return "<%s.%d%s-%s>" % (time.strftime("%Y%m%d%H%M%S", time.gmtime(t)), self.counter,
                                 suffix, email)

    def person(self):
        r = self.rng.random()
        if r < 0.12:
            return self.rng.choice(UNICODE_PEOPLE), True
        return self.rng.choice(ASCII_PEOPLE), False

    def from_header(self, who, encoded):
        name, email = who
        return "%s <%s>" % (rfc2047(name, self.rng) if encoded else
                            (name if "'" not in name else '"%s"' % name), email)

    def emit(self, headers, body, qp=False):
        """headers: list of (name, value); body: str (UTF-8 text)."""
        lines = []
        for k, v in headers:
            lines.append("%s: %s" % (k, v))
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=UTF-8")
        if qp:
            lines.append("Content-Transfer-Encoding: quoted-printable")
            body = qp_encode(body)
        else:
            lines.append("Content-Transfer-Encoding: 8bit")
        lines.append("List-Id: <%s>" % self.list_id)
        lines.append("Precedence: list")
        text = "\n".join(lines) + "\n\n" + body
        if not text.endswith("\n"):
            text += "\n"
        # mboxrd: quote ">*From " at line starts.
        quoted = []
        for line in text.split("\n"):
            if line.lstrip(">").startswith("From "):
                line = ">" + line
            quoted.append(line)
        msg = "From mboxrd@z Thu Jan  1 00:00:00 1970\n" + "\n".join(quoted) + "\n"
        data = msg.encode("utf-8")
        self.sink.write(data)
        self.bytes += len(data)
        self.nmails += 1

    # ---- content -------------------------------------------------------
    def title(self):
        r = self.rng
        return "%s: %s %s %s" % (r.choice(SUBSYS), r.choice(WORDS), r.choice(NOUNS),
                                 r.choice(["in " + r.choice(NOUNS) + " path", "on error",
                                           "for " + r.choice(NOUNS), "early", "helpers",
                                           "when " + r.choice(NOUNS) + " is busy"]))

    def prose(self, nlines):
        r = self.rng
        out, line = [], []
        for _ in range(nlines * 10):
            line.append(r.choice(WORDS + NOUNS + ["the", "a", "to", "of", "and", "is", "this"]))
            if len(" ".join(line)) > 62:
                out.append(" ".join(line))
                line = []
                if len(out) >= nlines:
                    break
        if line:
            out.append(" ".join(line) + ".")
        return "\n".join(out)

    def code_line(self, indent):
        r = self.rng
        tab = "\t" * indent
        k = r.random()
        a, b = r.choice(C_IDENTS), r.choice(C_IDENTS)
        if k < 0.25:
            return "%s%s = %s(%s, %s);" % (tab, a, r.choice(C_FUNCS), b, r.choice(C_IDENTS))
        if k < 0.40:
            return "%sif (%s & %s)" % (tab, a, b.upper())
        if k < 0.50:
            return "%s%s %s = %d;" % (tab, r.choice(C_TYPES), a, r.randint(0, 4096))
        if k < 0.60:
            return "%sreturn %s;" % (tab, r.choice(["0", "-EINVAL", "-ENOMEM", "ret", a]))
        if k < 0.70:
            return ""
        if k < 0.80:
            return "%s/* %s */" % (tab, self.prose(1)[:60])
        if k < 0.90:
            return "%s%s(%s->%s);" % (tab, r.choice(C_FUNCS), a, b)
        return "%s}" % tab

    def hunk(self, start):
        r = self.rng
        ctx_before = r.randint(2, 3)
        ctx_after = r.randint(2, 3)
        nrem = r.choice([0, 1, 1, 2, 3, 5])
        nadd = r.choice([1, 2, 3, 4, 6, 9, 14, 20])
        body = []
        body += [" " + self.code_line(1) for _ in range(ctx_before)]
        body += ["-" + self.code_line(r.randint(1, 2)) for _ in range(nrem)]
        body += ["+" + self.code_line(r.randint(1, 2)) for _ in range(nadd)]
        if r.random() < 0.3:
            body += [" " + self.code_line(1) for _ in range(2)]
            body += ["+" + self.code_line(2) for _ in range(r.randint(1, 4))]
        body += [" " + self.code_line(1) for _ in range(ctx_after)]
        old = sum(1 for x in body if x[0] in " -")
        new = sum(1 for x in body if x[0] in " +")
        func = "%s %s(%s)" % (r.choice(["static int", "void", "static void", "int", "long"]),
                              r.choice(C_FUNCS) + "_" + r.choice(C_IDENTS),
                              r.choice(["void", "struct device *dev", "unsigned long addr"]))
        hdr = "@@ -%d,%d +%d,%d @@ %s" % (start, old, start, new, func)
        return [hdr] + body, new - old, sum(1 for x in body if x[0] == "+"), \
            sum(1 for x in body if x[0] == "-")

    def diff(self):
        r = self.rng
        nfiles = r.choice([1, 1, 2, 2, 3, 4, 5])
        paths = sorted({"%s/%s.%s" % (r.choice(DIRS), r.choice(FILES), r.choice("cch"))
                        for _ in range(nfiles)})
        parts, stat = [], []
        tot_add = tot_del = 0
        for p in paths:
            new_file = r.random() < 0.05
            lines = ["diff --git a/%s b/%s" % (p, p)]
            if new_file:
                lines.append("new file mode 100644")
                lines.append("index 0000000..%07x" % r.getrandbits(28))
                lines.append("--- /dev/null")
            else:
                lines.append("index %07x..%07x 100644" % (r.getrandbits(28), r.getrandbits(28)))
                lines.append("--- a/%s" % p)
            lines.append("+++ b/%s" % p)
            add = dele = 0
            if new_file:
                body = ["+" + self.code_line(r.randint(0, 2)) for _ in range(r.randint(10, 60))]
                lines.append("@@ -0,0 +1,%d @@" % len(body))
                lines += body
                add = len(body)
            else:
                pos = r.randint(10, 200)
                for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
                    h, shift, a, d = self.hunk(pos)
                    lines += h
                    add += a
                    dele += d
                    pos += r.randint(40, 400)
            tot_add += add
            tot_del += dele
            stat.append((p, add, dele))
            parts.append("\n".join(lines))
        width = max(len(p) for p, _, _ in stat)
        st = []
        for p, a, d in stat:
            st.append(" %-*s | %3d %s" % (width, p, a + d, ("+" * min(a, 40)) + ("-" * min(d, 20))))
        st.append(" %d file%s changed, %d insertion%s(+), %d deletion%s(-)" % (
            len(stat), "" if len(stat) == 1 else "s", tot_add, "" if tot_add == 1 else "s",
            tot_del, "" if tot_del == 1 else "s"))
        return "\n".join(st), "\n".join(parts) + "\n"

    # ---- mails ---------------------------------------------------------
    def patch_mail(self, author, enc, subject, mid, parent, refs, t, tz, trailers, qp):
        r = self.rng
        stat, diff = self.diff()
        msg = self.prose(r.randint(3, 12))
        if qp:
            msg += "\n\nThanks to Jörg and Zoë for the reports (naïve fix reverted)."
        tags = "".join("%s: %s <%s>\n" % t_ for t_ in trailers)
        body = "%s\n\n%sSigned-off-by: %s <%s>\n---\n%s\n\n%s-- \n2.39.2\n" % (
            msg, tags, author[0], author[1], stat, diff)
        hdrs = [("From", self.from_header(author, enc)), ("To", self.list_addr)]
        if r.random() < 0.5:
            hdrs.append(("Cc", "%s <%s>" % self.rng.choice(ASCII_PEOPLE)))
        hdrs += [("Subject", subject), ("Date", self.date(t, tz)), ("Message-Id", mid)]
        if parent:
            hdrs += [("In-Reply-To", parent), ("References", " ".join(refs))]
        hdrs.append(("X-Mailer", "git-send-email 2.39.2"))
        self.emit(hdrs, body, qp=qp)
        self.npatches += 1
        return diff

    def reply(self, to_subject, to_mid, to_refs, quoted_text, t, kind):
        r = self.rng
        who, enc = r.choice(REVIEWERS), False
        enc = any(ord(c) > 127 for c in who[0])
        q = quoted_text.split("\n")
        start = r.randint(0, max(0, len(q) - 8))
        quote = "\n".join("> " + x if x else ">" for x in q[start:start + r.randint(3, 8)])
        body = "On %s, someone wrote:\n%s\n\n%s\n" % (self.date(t - 3600, 0), quote,
                                                    self.prose(r.randint(1, 5)))
        tag = None
        if kind != "discuss":
            tag = {"review": "Reviewed-by", "ack": "Acked-by", "test": "Tested-by"}[kind]
            body += "\n%s: %s <%s>\n" % (tag, who[0], who[1])
        qp = enc and r.random() < 0.5
        if qp:
            body += "\nGrüße,\n%s\n" % who[0]
        mid = self.msgid(t, who[1], ".reply")
        subj = to_subject if to_subject.startswith("Re: ") else "Re: " + to_subject
        refs = list(to_refs) + [to_mid]
        hdrs = [("From", self.from_header(who, enc)), ("To", self.list_addr), ("Subject", subj),
                ("Date", self.date(t, r.choice(TZS))), ("Message-Id", mid),
                ("In-Reply-To", to_mid), ("References", " ".join(refs))]
        self.emit(hdrs, body, qp=qp)
        return (who, tag)

    def pull_request(self):
        r = self.rng
        t = self.tick()
        who, enc = self.person()
        base = hashlib.sha1(str(r.random()).encode()).hexdigest()
        head = hashlib.sha1(str(r.random()).encode()).hexdigest()
        topic = r.choice(SUBSYS).split(":")[0].split("/")[-1]
        subject = "[GIT PULL] %s %s for v5.%d" % (topic, r.choice(["fixes", "updates", "cleanups"]),
                                                  r.randint(0, 9))
        shortlog = "\n".join("      %s" % self.title() for _ in range(r.randint(2, 8)))
        body = (
            "Hi Linus,\n\nPlease pull some %s changes for this cycle.\n\n"
            "The following changes since commit %s:\n\n"
            "  Linux 5.%d-rc%d (2019-0%d-1%d 16:08:12 -0700)\n\n"
            "are available in the git repository at:\n\n"
            "  https://git.kernel.org/pub/scm/linux/kernel/git/%s/linux.git tags/%s-5.%d-%d\n\n"
            "for you to fetch changes up to %s:\n\n  %s (2019-0%d-2%d 10:01:02 +1100)\n\n"
            "----------------------------------------------------------------\n%s\n\n"
            "----------------------------------------------------------------\n%s\n" % (
                topic, base, r.randint(0, 9), r.randint(1, 8), r.randint(1, 9), r.randint(0, 9),
                who[1].split("@")[0], topic, r.randint(0, 9), r.randint(1, 4), head,
                self.title(), r.randint(1, 9), r.randint(0, 8), shortlog, shortlog))
        mid = self.msgid(t, who[1], ".pull")
        self.emit([("From", self.from_header(who, enc)), ("To", self.list_addr),
                   ("Subject", subject), ("Date", self.date(t, r.choice(TZS))),
                   ("Message-Id", mid)], body)
        self.npatches += 1

    def series(self, prev_cover=None, version=1, state=None):
        """One version of a series; returns state to send a later version."""
        r = self.rng
        if state is None:
            author, enc = self.person()
            n = r.choice([1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 14])
            titles = [self.title() for _ in range(n)]
            state = {"author": author, "enc": enc, "n": n, "titles": titles,
                     "tz": r.choice(TZS), "qp": enc and r.random() < 0.4,
                     "cover_title": self.title().split(": ", 1)[-1], "trailers": {}}
        author, enc, n, tz = state["author"], state["enc"], state["n"], state["tz"]
        t = self.tick(600, 40000)
        vtag = "" if version == 1 else " v%d" % version
        rfc = "RFC " if version == 1 and r.random() < 0.05 else ""
        width = len(str(n))
        cover_mid = None
        cover_refs = []
        sent = []
        if n > 1:
            cover_mid = self.msgid(t, author[1], "-0")
            cover_subj = subj = "[%sPATCH%s %s/%d] %s" % (rfc, vtag, "0" * width, n,
                                                          state["cover_title"])
            cover_body = body = "%s\n\n%s\n\n%s (%d):\n%s\n\n-- \n2.39.2\n" % (
                self.prose(r.randint(4, 15)),
                ("Changes in v%d:\n- %s\n- %s\n" % (version, self.prose(1), self.prose(1)))
                if version > 1 else "",
                author[0], n, "\n".join("  " + x.split(": ", 1)[-1] for x in state["titles"]))
            hdrs = [("From", self.from_header(author, enc)), ("To", self.list_addr),
                    ("Subject", subj), ("Date", self.date(t, tz)), ("Message-Id", cover_mid)]
            if prev_cover and r.random() < 0.4:
                hdrs += [("In-Reply-To", prev_cover), ("References", prev_cover)]
                cover_refs = [prev_cover]
            self.emit(hdrs, body, qp=state["qp"])
        for i in range(1, n + 1):
            t += r.randint(1, 3)
            mid = self.msgid(t, author[1], "-%d" % i)
            if n > 1:
                subj = "[%sPATCH%s %0*d/%d] %s" % (rfc, vtag, width, i, n, state["titles"][i - 1])
            else:
                subj = "[%sPATCH%s] %s" % (rfc, vtag, state["titles"][0])
            trailers = state["trailers"].get(i, [])
            diff = self.patch_mail(author, enc, subj, mid, cover_mid, cover_refs + [cover_mid]
                                   if cover_mid else [], t, tz, trailers, state["qp"])
            sent.append((subj, mid, cover_refs + [cover_mid] if cover_mid else [], diff))
        # Review traffic, some hours later.
        rt = t
        for subj, mid, refs, diff in sent:
            if r.random() < 0.35:
                rt += r.randint(600, 20000)
                kind = r.choice(["review", "review", "ack", "test", "discuss"])
                who, tag = self.reply(subj, mid, refs, diff, rt, kind)
                if tag:
                    idx = sent.index((subj, mid, refs, diff)) + 1
                    state["trailers"].setdefault(idx, []).append((tag, who[0], who[1]))
                if r.random() < 0.3:  # author answers
                    rt += r.randint(600, 20000)
                    self.reply("Re: " + subj, mid, refs, diff, rt, "discuss")
        if cover_mid and r.random() < 0.3:
            rt += r.randint(600, 20000)
            self.reply(cover_subj, cover_mid, cover_refs, cover_body, rt,
                       r.choice(["ack", "discuss"]))
        self.t = max(self.t, rt)
        return cover_mid, state


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--mails", type=int, default=5000, help="stop after about N mails")
    ap.add_argument("--patches", type=int, default=0,
                    help="instead: stop once at least this many patches were written")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--list-id", default="bench.lists.example.org")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()

    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb", buffering=1 << 20)
    g = Gen(args.seed, args.list_id)
    g.sink = out

    def done():
        return g.npatches >= args.patches if args.patches else g.nmails >= args.mails

    pending = []  # series that will get a later version
    while not done():
        x = g.rng.random()
        if x < 0.03:
            g.pull_request()
        elif x < 0.25 and pending:
            prev_cover, version, state = pending.pop(0)
            cover, state = g.series(prev_cover, version, state)
            if version < 4 and g.rng.random() < 0.4:
                pending.append((cover, version + 1, state))
        else:
            cover, state = g.series()
            if g.rng.random() < 0.3:
                pending.append((cover, 2, state))
    if out is not sys.stdout.buffer:
        out.close()
    sys.stderr.write("gen_mbox: %d mails, %d patches (incl. pull requests), %.1f MB\n" %
                     (g.nmails, g.npatches, g.bytes / 1e6))


if __name__ == "__main__":
    main()
