"""The generated corpus for `patchbay git-sync`: a real history posted to a
list and merged again, with the edits patches get on the way in.

Every non-merge commit of a repository's branch (this project's own history
by default) is posted as a `git format-patch` mail, in series of one to
five patches with a cover letter. Some postings and merges are edited
(seeded, so a run is repeatable):

  plain       posted as committed; the merged commit is the same
  reword      the merged commit's subject and body are reworded and it
              gains Signed-off-by/Acked-by trailers (diff unchanged)
  trailers    the merged commit gains Reviewed-by and a Link: trailer to
              the posting (as `b4 am`/`git am` with a Link hook write)
  context     the posting was made on another base: one context line of
              its diff differs from what was merged (a rebase)
  whitespace  the posting has trailing blanks on an added line, which the
              merged commit does not (`git am --whitespace=fix`)
  versions    posted twice: a v1 on another base (context differs), then
              the v2 that was merged
  resend      posted twice with the same diff ([PATCH RESEND])
  rebased-reworded  posted on another base and reworded when merged: only
              the changed lines are left to match
  modified    the maintainer changed an added line and the subject: no rule
              can tell it is the same change (the recall lost without
              Link: trailers)
  rejected    a different change by the same author touching the same files,
              never merged (must stay New)

The merged repository is the original history rewritten with
`git fast-export | git fast-import` (only commit messages change; merges
and trees are kept), so each posting's expected commit is known.
`run()` ingests the mails with `parsearchive`, runs `git-sync` and returns
precision and recall.
"""
import os
import random
import re
import subprocess
import time

KINDS = [("plain", 40), ("reword", 14), ("trailers", 10), ("context", 14), ("whitespace", 6),
         ("versions", 6), ("resend", 4), ("rejected", 6), ("rebased-reworded", 4),
         ("modified", 2)]
LIST_ID = "gitsync.lists.example.org"


def git(repo, *args, input=None, env=None):
    e = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", **(env or {}))
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, input=input, env=e)
    if r.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout


def git_text(repo, *args):
    return git(repo, *args).decode("utf-8", "replace").strip()


def usable_history(repo, minimum):
    """The repository's non-merge commit count, or 0 when it is shallow or
    has fewer than `minimum` (a CI clone with --depth)."""
    try:
        if git_text(repo, "rev-parse", "--is-shallow-repository") == "true":
            return 0
        n = int(git_text(repo, "rev-list", "--count", "--no-merges", "HEAD"))
    except (RuntimeError, ValueError):
        return 0
    return n if n >= minimum else 0


def synthetic_history(repo, commits, seed=7):
    """A history of `commits` commits by four authors over a dozen files,
    for when no real one is at hand."""
    rnd = random.Random(seed)
    git(repo, "init", "-q", "-b", "main")
    files = ["src/mod%d.c" % i for i in range(12)]
    os.makedirs(os.path.join(repo, "src"))
    for f in files:
        with open(os.path.join(repo, f), "w") as fh:
            fh.write("".join("int f%d_%d(void) { return %d; }\n" % (hash(f) % 97, i, i) for i in range(60)))
    authors = [("Ann Dev", "ann@example.org"), ("Bob Hacker", "bob@example.org"),
               ("Chen Li", "chen@example.org"), ("Dana Ops", "dana@example.org")]
    t = 1700000000
    env = {"GIT_AUTHOR_NAME": "Base", "GIT_AUTHOR_EMAIL": "base@example.org",
           "GIT_COMMITTER_NAME": "Maintainer", "GIT_COMMITTER_EMAIL": "m@example.org",
           "GIT_AUTHOR_DATE": "%d +0000" % t, "GIT_COMMITTER_DATE": "%d +0000" % t}
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "Initial import", env=env)
    for n in range(commits):
        t += 3600
        touched = rnd.sample(files, rnd.choice([1, 1, 2, 3]))
        for f in touched:
            path = os.path.join(repo, f)
            lines = open(path).read().splitlines(True)
            i = rnd.randrange(len(lines))
            lines[i] = "int changed_%d_%d(void) { return %d; }\n" % (n, i, rnd.randrange(1000))
            open(path, "w").write("".join(lines))
        name, email = rnd.choice(authors)
        area = os.path.basename(touched[0])[:-2]
        env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE="%d +0000" % t,
                   GIT_COMMITTER_DATE="%d +0000" % (t + 1800))
        git(repo, "add", "-A", env=env)
        git(repo, "commit", "-q", "-m", "%s: change number %d\n\nBecause step %d needs it." % (area, n, n),
            env=env)


class Posting:
    def __init__(self, msgid, commit, expect, kind=""):
        self.kind = kind          # the edit it went through (KINDS)
        self.msgid = msgid        # with <>
        self.commit = commit      # the original commit it was made from
        self.expect = expect      # "accepted", "superseded" or "new"


def _edit_context_line(diff_text, rnd):
    """Changes one context line of the first hunk that has one, as if the
    patch had been made on another base; None when there is none."""
    lines = diff_text.split("\n")
    in_hunk = False
    choices = []
    for i, l in enumerate(lines):
        if l.startswith("@@ "):
            in_hunk = True
        elif l.startswith("diff --git"):
            in_hunk = False
        elif in_hunk and l.startswith(" ") and l.strip():
            choices.append(i)
    if not choices:
        return None
    i = rnd.choice(choices)
    lines[i] = lines[i] + " /* older base */"
    return "\n".join(lines)


def _edit_added_line(diff_text, rnd, mutate):
    lines = diff_text.split("\n")
    in_hunk = False
    choices = []
    for i, l in enumerate(lines):
        if l.startswith("@@ "):
            in_hunk = True
        elif l.startswith("diff --git"):
            in_hunk = False
        elif in_hunk and l.startswith("+") and len(l.strip()) > 3 and " " in l.strip():
            choices.append(i)
    if not choices:
        return None
    i = rnd.choice(choices)
    lines[i] = mutate(lines[i])
    return "\n".join(lines)


def _memo(edit):
    cache = {}

    def run(diff_text):
        if diff_text not in cache:
            cache[diff_text] = edit(diff_text)
        return cache[diff_text]
    return run


def _split_mail(text):
    head, _, body = text.partition("\n\n")
    return head, body


def _set_header(head, name, value):
    pat = re.compile(r"^%s:.*(?:\n[ \t].*)*" % re.escape(name), re.M | re.I)
    if pat.search(head):
        return pat.sub(lambda m: "%s: %s" % (name, value), head, count=1)
    return head + "\n%s: %s" % (name, value)


def _format_patch(repo, sha):
    """`git format-patch -1` of one commit, without the mbox From_ line."""
    out = git(repo, "format-patch", "-1", "--stdout", "--no-numbered", "--keep-subject", sha)
    text = out.decode("utf-8", "replace")
    if text.startswith("From "):
        text = text.split("\n", 1)[1]
    return text


def build(source, tmp, max_commits=400, seed=1):
    """Makes the mails (a Maildir) and the merged repository. Returns
    (maildir, merged_repo, postings, original_to_merged)."""
    rnd = random.Random(seed)
    orig = os.path.join(tmp, "orig")
    git(tmp, "clone", "-q", "--no-local", source, orig)
    shas = git_text(orig, "rev-list", "--reverse", "--no-merges", "HEAD").split()
    shas = shas[-max_commits:]
    maildir = os.path.join(tmp, "mails")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, d))
    postings = []
    msg_edits = {}     # original sha -> function(message) -> message
    seq = [0]

    def write_mail(text):
        seq[0] += 1
        with open(os.path.join(maildir, "new", "%06d.mail" % seq[0]), "w", encoding="utf-8") as f:
            f.write(text)

    def mail_for(sha, msgid, subject_prefix, number, total, cover_id, date_shift=0, diff_edit=None,
                 subject_edit=None):
        text = _format_patch(orig, sha)
        head, body = _split_mail(text)
        subject = re.search(r"^Subject: (.*(?:\n[ \t].*)*)", head, re.M).group(1).replace("\n", "")
        if subject_edit:
            subject = subject_edit(subject)
        marker = "%s %d/%d" % (subject_prefix, number, total) if total > 1 else subject_prefix
        head = _set_header(head, "Subject", "[%s] %s" % (marker, subject))
        head = _set_header(head, "Message-Id", msgid)
        head = _set_header(head, "List-Id", "<%s>" % LIST_ID)
        head = _set_header(head, "To", "gitsync@lists.example.org")
        if cover_id:
            head = _set_header(head, "In-Reply-To", cover_id)
            head = _set_header(head, "References", cover_id)
        if date_shift:
            date = re.search(r"^Date: (.*)$", head, re.M).group(1)
            ts = int(git_text(orig, "log", "-1", "--format=%at", sha)) + date_shift
            head = head.replace("Date: " + date, "Date: " + time.strftime(
                "%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts)))
        if diff_edit:
            k = body.find("\ndiff --git ")
            if k >= 0:
                edited = diff_edit(body[k:])
                if edited is None:
                    return None
                body = body[:k] + edited
        return head + "\n\n" + body

    def cover(version_prefix, total, first_sha, cover_id):
        author = git_text(orig, "log", "-1", "--format=%an <%ae>%n%aD", first_sha).split("\n")
        return ("From: %s\nDate: %s\nSubject: [%s 0/%d] A series of %d\nMessage-Id: %s\n"
                "List-Id: <%s>\nTo: gitsync@lists.example.org\nMIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=UTF-8\n\nThe cover letter.\n" %
                (author[0], author[1], version_prefix, total, total, cover_id, LIST_ID))

    i = 0
    series_no = 0
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    while i < len(shas):
        size = min(rnd.choice([1, 1, 2, 3, 5]), len(shas) - i)
        group = shas[i:i + size]
        i += size
        series_no += 1
        group_kinds = [rnd.choices(kinds, weights)[0] for _ in group]
        # The edit each posting of the merged version carries; memoised, so
        # a v1 that differs only in its date carries the very same one.
        edits = []
        for kind in group_kinds:
            if kind in ("context", "rebased-reworded"):
                edits.append(_memo(lambda d: _edit_context_line(d, rnd)))
            elif kind == "modified":
                edits.append(_memo(lambda d: _edit_added_line(d, rnd, lambda l: l + " /* as posted */")))
            elif kind == "whitespace":
                edits.append(_memo(lambda d: _edit_added_line(d, rnd, lambda l: l + "   ")))
            else:
                edits.append(None)
        # v1 of a series, a day earlier: made on an older base for "versions"
        # patches, otherwise the same as what follows.
        if "versions" in group_kinds or "resend" in group_kinds:
            prefix = "PATCH"
            cover_id = "<s%d-v1.cover@corpus.example>" % series_no if size > 1 else None
            if cover_id:
                write_mail(cover(prefix, size, group[0], cover_id))
            for n, (sha, kind, edit) in enumerate(zip(group, group_kinds, edits), 1):
                msgid = "<s%d-v1-%d@corpus.example>" % (series_no, n)
                if kind == "versions":
                    edit = _memo(lambda d: _edit_context_line(d, rnd))
                text = mail_for(sha, msgid, prefix, n, size, cover_id, date_shift=-86400, diff_edit=edit)
                if text is None:
                    text = mail_for(sha, msgid, prefix, n, size, cover_id, date_shift=-86400)
                write_mail(text)
                postings.append(Posting(msgid, sha, "superseded", "v1 of " + kind))
            prefix = "PATCH v2" if "versions" in group_kinds else "PATCH RESEND"
        else:
            prefix = "PATCH"
        cover_id = "<s%d.cover@corpus.example>" % series_no if size > 1 else None
        if cover_id:
            write_mail(cover(prefix, size, group[0], cover_id))
        for n, (sha, kind, edit) in enumerate(zip(group, group_kinds, edits), 1):
            msgid = "<s%d-%d@corpus.example>" % (series_no, n)
            text = mail_for(sha, msgid, prefix, n, size, cover_id, diff_edit=edit)
            if text is None:  # nothing to edit (e.g. only additions): posted as is
                text = mail_for(sha, msgid, prefix, n, size, cover_id)
            write_mail(text)
            postings.append(Posting(msgid, sha, "accepted", kind))
            if kind in ("reword", "rebased-reworded", "modified"):
                msg_edits[sha] = lambda m: _reword(m)
            elif kind == "trailers":
                bare = msgid[1:-1]
                msg_edits[sha] = lambda m, bare=bare: _add_trailers(
                    m, ["Reviewed-by: Rita Reviewer <rita@example.org>",
                        "Link: https://patch.msgid.link/%s" % bare])
            elif kind == "rejected":
                # Another change by the same author on the same files, never merged.
                rid = "<s%d-%d-rejected@corpus.example>" % (series_no, n)
                text = mail_for(sha, rid, "PATCH RFC", 1, 1, None, date_shift=-3600,
                                diff_edit=lambda d: _edit_added_line(d, rnd, lambda l: l + " // rejected idea"),
                                subject_edit=lambda s: "Rethink " + s)
                if text is not None:
                    write_mail(text)
                    postings.append(Posting(rid, None, "new", "rejected"))
    merged, mapping = _rewrite(orig, tmp, msg_edits)
    return maildir, merged, postings, mapping


def _reword(message):
    lines = message.split("\n")
    subject = lines[0]
    lines[0] = ("Reword: " + subject) if not subject.startswith("Reword") else subject + " again"
    return _add_trailers("\n".join(lines) + "\n\nReworded when applied.",
                         ["Signed-off-by: Mae Maintainer <mae@example.org>", "Acked-by: Al <al@example.org>"])


def _add_trailers(message, trailers):
    return message.rstrip("\n") + "\n\n" + "\n".join(trailers) + "\n"


def _rewrite(orig, tmp, msg_edits):
    """The merged repository: `orig` through fast-export/fast-import with
    the commit messages in `msg_edits` edited; trees and merges are kept.
    Returns it and the map of original to rewritten commit ids."""
    merged = os.path.join(tmp, "merged")
    git(tmp, "init", "-q", "-b", "main", merged)
    stream = git(orig, "fast-export", "--show-original-ids", "--signed-tags=strip", "--reencode=yes",
                 "HEAD")
    out = []
    pos = 0
    current_oid = None
    in_commit = False
    marks = {}  # mark -> original oid
    mark = None
    while pos < len(stream):
        nl = stream.index(b"\n", pos)
        line = stream[pos:nl]
        pos = nl + 1
        if line.startswith(b"commit "):
            in_commit, current_oid, mark = True, None, None
            line = b"commit refs/heads/main"  # whatever the clone's branch was called
        elif line.startswith(b"blob") or line.startswith(b"reset ") or line.startswith(b"tag "):
            in_commit = False
            if line.startswith(b"reset "):
                line = b"reset refs/heads/main"
        elif line.startswith(b"mark :"):
            mark = line[6:].decode()
        elif line.startswith(b"original-oid "):
            current_oid = line[13:].decode()
            if in_commit and mark:
                marks[mark] = current_oid
        if line.startswith(b"data "):
            n = int(line[5:])
            data = stream[pos:pos + n]
            pos += n
            if in_commit and current_oid in msg_edits:
                data = msg_edits[current_oid](data.decode("utf-8", "replace")).encode()
            out.append(b"data %d\n" % len(data) + data)
            continue
        out.append(line + b"\n")
    marks_file = os.path.join(tmp, "marks")
    git(merged, "fast-import", "--quiet", "--export-marks=" + marks_file, input=b"".join(out))
    git(merged, "reset", "-q", "--hard", "main")
    mapping = {}
    for l in open(marks_file):
        m, new = l.split()
        if m[1:] in marks:
            mapping[marks[m[1:]]] = new
    return merged, mapping


def run(binary, source, tmp, db_url, max_commits=400, seed=1, log=print):
    """Builds the corpus, ingests it, runs git-sync; returns a dict of counts,
    precision and recall."""
    t0 = time.time()
    maildir, merged, postings, mapping = build(source, tmp, max_commits, seed)
    t1 = time.time()
    env = dict(os.environ, PATCHBAY_DATABASE=db_url)

    def pb(*args, **kw):
        r = subprocess.run([binary, *args], capture_output=True, text=True, env=env, **kw)
        if r.returncode != 0:
            raise RuntimeError("patchbay %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    pb("project", "create", "--linkname", "corpus", "--name", "Corpus", "--listid", LIST_ID,
       "--listemail", "gitsync@lists.example.org")
    pb("parsearchive", "-q", maildir)
    t2 = time.time()
    out = pb("git-sync", "--project", "corpus", "--repo", merged, "--branch", "main", "-q")
    t3 = time.time()
    again = pb("git-sync", "--project", "corpus", "--repo", merged, "--branch", "main", "--since",
               git_text(merged, "rev-list", "--max-parents=0", "HEAD").split()[0])
    same = _same_change(merged)
    return score(db_url, postings, mapping, same, out, again,
                 {"build": t1 - t0, "ingest": t2 - t1, "sync": t3 - t2})


def _same_change(repo):
    """commit -> the commits of `repo` with the same patch-id: a change
    applied twice (a backport merged back, a revert of a revert) makes
    either commit a right answer."""
    log = git(repo, "log", "-p", "--no-merges", "--format=commit %H", "HEAD")
    ids = git(repo, "patch-id", "--stable", input=log).decode().split("\n")
    by_id = {}
    for line in ids:
        if line.strip():
            pid, sha = line.split()
            by_id.setdefault(pid, set()).add(sha)
    same = {}
    for shas in by_id.values():
        for sha in shas:
            same[sha] = shas
    return same


def score(db_url, postings, mapping, same, out, again, times):
    import testdb
    conn = testdb.connect(db_url)
    rows = conn.execute(
        "SELECT p.msgid, s.slug, p.commit_ref FROM patches p JOIN states s ON s.id = p.state_id").fetchall()
    by_msgid = {r[0]: (r[1], r[2]) for r in rows}
    rules = dict(conn.execute("SELECT rule, COUNT(*) FROM patch_git_matches WHERE action = 'accepted' "
                              "GROUP BY rule").fetchall())
    conn.close()
    # Mails the parser refuses (as upstream does: e.g. "dependabot[bot]"
    # addresses) never reach git-sync; they are counted apart.
    missing = [p.msgid for p in postings if p.msgid not in by_msgid]
    postings = [p for p in postings if p.msgid in by_msgid]

    def right_commit(p, ref):
        want = mapping.get(p.commit)
        return ref is not None and (ref == want or ref in same.get(want, ()))

    changed = correct = expected_accept = found_accept = 0
    wrong = []
    for p in postings:
        state, ref = by_msgid[p.msgid]
        if p.expect == "accepted":
            expected_accept += 1
        if state in ("accepted", "superseded"):
            changed += 1
            ok = p.expect == state and (state == "superseded" or right_commit(p, ref))
            correct += ok
            if not ok:
                wrong.append((p.msgid, p.kind, p.expect, state, ref))
        if p.expect == "accepted" and state == "accepted" and right_commit(p, ref):
            found_accept += 1
    misses = [(p.msgid, p.kind) for p in postings if p.expect == "accepted" and
              not (by_msgid[p.msgid][0] == "accepted" and right_commit(p, by_msgid[p.msgid][1]))]
    modified = len([p for p in postings if p.kind == "modified"])
    return {
        "modified": modified,
        "recall_matchable": found_accept / (expected_accept - modified) if expected_accept > modified else 1.0,
        "postings": len(postings) + len(missing), "commits": len(mapping),
        "commits_synced": len([p for p in postings if p.expect == "accepted"]),
        "expected_accepted": expected_accept, "accepted_right": found_accept,
        "state_changes": changed, "state_changes_right": correct,
        "precision": correct / changed if changed else 1.0,
        "recall": found_accept / expected_accept if expected_accept else 1.0,
        "by_rule": rules, "wrong": wrong, "misses": misses, "not_stored": missing,
        "summary": out.strip().splitlines()[-1] if out.strip() else "",
        "rerun": again.strip().splitlines()[-1] if again.strip() else "",
        "seconds": times,
    }
