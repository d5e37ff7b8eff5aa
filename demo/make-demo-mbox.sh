#!/usr/bin/env bash
# Regenerates demo/demo.mbox: real `git format-patch` output of three small
# commits made on top of a fixed commit of this repository, as a v1 and a v2
# series with cover letters, plus a review reply (Reviewed-by) to v1 patch 1
# and a reply to the v1 cover letter. `patchbay demo` loads it into project
# "patchbay" (list id patchbay.lists.example.org).
#
#   bash demo/make-demo-mbox.sh            # rewrites demo/demo.mbox
#   bash demo/make-demo-mbox.sh OUT.mbox   # writes elsewhere
#
# Reproducible: the base commit, authors, dates and Message-Ids are fixed
# (git's own Message-Ids contain the current time; they are rewritten), so
# running it twice gives the same bytes. Needs git and sed only; works in a
# throwaway clone under /tmp and never touches this repository's branches.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="${1:-$here/demo.mbox}"
base=7338802cf73891730fd5b4ef0313ec2f0f18178e   # "CLI black-box tests, series revision links"

if ! git -C "$repo" cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "make-demo-mbox: commit $base is not in $repo (shallow clone?); try git fetch --unshallow" >&2
  exit 1
fi
work="$(mktemp -d /tmp/patchbay-demo-mbox.XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone -q --no-checkout "$repo" "$work/repo"
cd "$work/repo"
git -c advice.detachedHead=false checkout -q "$base"

export GIT_AUTHOR_NAME="Jörg Demo" GIT_AUTHOR_EMAIL="joerg@example.org"
export GIT_COMMITTER_NAME="Jörg Demo" GIT_COMMITTER_EMAIL="joerg@example.org"
export TZ=UTC LC_ALL=C.UTF-8
git config user.name "$GIT_AUTHOR_NAME"
git config user.email "$GIT_AUTHOR_EMAIL"

commit() {  # commit DATE SUBJECT BODY
  GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -a -s -m "$2" -m "$3"
}

# The three edits. $1 = 1 for v1, 2 for v2 (patch 1 is worded differently).
make_series() {
  local v=$1 day=$2
  git checkout -q --detach "$base"
  if [ "$v" = 1 ]; then
    sed -i 's|^The database is given by `--database URL` or `$PATCHBAY_DATABASE`$|The database is given by `--database URL` or else `$PATCHBAY_DATABASE`|' README.md
  else
    sed -i 's|^The database is given by `--database URL` or `$PATCHBAY_DATABASE`$|The database is given by `--database URL` (which wins) or `$PATCHBAY_DATABASE`|' README.md
  fi
  commit "2026-01-$day 10:00:01 +0100" "README: say which database setting wins" \
    "Both --database and \$PATCHBAY_DATABASE may be set; say that the
command-line option takes precedence, as src/cli/args.cc does."
  sed -i 's#^| `bench/` | benchmarks; numbers in `docs/performance.md` |$#| `bench/` | benchmarks; numbers in [`docs/performance.md`](docs/performance.md) |#' README.md
  commit "2026-01-$day 10:00:02 +0100" "README: link the performance notes" \
    "Make docs/performance.md a link in the layout table, like a reader
of the rendered README would expect."
  sed -i 's|^ninja -C build -j"$(nproc)" "$@"$|ninja -C build -j"${JOBS:-$(nproc)}" "$@"|' scripts/build.sh
  commit "2026-01-$day 10:00:03 +0100" "scripts/build.sh: honour \$JOBS" \
    "On a shared machine the full -j\$(nproc) starves other work; let the
caller pick the number of parallel jobs with JOBS=N."
}

fmt() {  # fmt DIR COVER-DATE EXTRA-ARGS...
  local dir=$1 date=$2
  shift 2
  GIT_COMMITTER_DATE="$date" git format-patch -q -3 --cover-letter --thread=shallow \
    --signature="2.39.2" --to="patchbay@lists.example.org" \
    --add-header="List-Id: patchbay demo <patchbay.lists.example.org>" -o "$dir" "$@"
}

make_series 1 05
fmt "$work/v1" "2026-01-05 10:00:00 +0100"
make_series 2 08
fmt "$work/v2" "2026-01-08 09:30:00 +0100" -v2

# Stable Message-Ids: git writes <BASE.TIME.git.EMAIL> with TIME = now.
# TIME becomes the series' cover date, so v1 and v2 covers get different ids.
sed -i -E 's/(<(cover|[0-9a-f]{40}))\.[0-9]+\.git\.joerg@example\.org>/\1.1767603600.git.joerg@example.org>/g' "$work"/v1/*.patch
sed -i -E 's/(<(cover|[0-9a-f]{40}))\.[0-9]+\.git\.joerg@example\.org>/\1.1767861000.git.joerg@example.org>/g' "$work"/v2/*.patch

sed -i -e 's/\*\*\* SUBJECT HERE \*\*\*/README and build script touch-ups/' \
  -e 's/\*\*\* BLURB HERE \*\*\*/Three small touch-ups found while setting up a demo machine: the README\
says which database setting wins and links the performance notes, and\
scripts\/build.sh lets the caller choose the number of build jobs./' "$work"/v1/*0000-*.patch
sed -i -e 's/\*\*\* SUBJECT HERE \*\*\*/README and build script touch-ups/' \
  -e 's/\*\*\* BLURB HERE \*\*\*/Three small touch-ups found while setting up a demo machine.\
\
Changes in v2:\
- patch 1: reworded as Ada suggested; patches 2 and 3 are unchanged./' "$work"/v2/*0000-*.patch

msgid() { sed -n 's/^Message-Id: //p' "$1"; }
subject() { sed -n 's/^Subject: //p' "$1"; }
cover1="$(msgid "$work"/v1/*0000-*.patch)"
patch1="$(msgid "$work"/v1/*0001-*.patch)"

{
  cat "$work"/v1/*0000-*.patch "$work"/v1/*0001-*.patch "$work"/v1/*0002-*.patch "$work"/v1/*0003-*.patch
  # Review of v1 patch 1: quoted-printable, with a Reviewed-by tag.
  cat <<EOF
From ada-review Mon Sep 17 00:00:00 2001
From: Ada Reviewer <ada@example.org>
To: =?UTF-8?q?J=C3=B6rg=20Demo?= <joerg@example.org>
Cc: patchbay@lists.example.org
Subject: Re: $(subject "$work"/v1/*0001-*.patch)
Date: Tue, 6 Jan 2026 09:15:00 +0100
Message-Id: <ada-review-1@example.org>
In-Reply-To: $patch1
References: $cover1 $patch1
List-Id: patchbay demo <patchbay.lists.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

On Mon, Jan 05, 2026 at 10:00:01AM +0100, J=C3=B6rg Demo wrote:
> Both --database and \$PATCHBAY_DATABASE may be set; say that the
> command-line option takes precedence, as src/cli/args.cc does.

"or else" reads a little odd; maybe say "(which wins)" right after the
option? Either way the change is correct.

Reviewed-by: Ada Reviewer <ada@example.org>

Gr=C3=BC=C3=9Fe,
Ada

EOF
  # Reply to the v1 cover letter.
  cat <<EOF
From bo-cover-reply Mon Sep 17 00:00:00 2001
From: Bo Maintainer <bo@example.org>
To: =?UTF-8?q?J=C3=B6rg=20Demo?= <joerg@example.org>
Cc: patchbay@lists.example.org
Subject: Re: $(subject "$work"/v1/*0000-*.patch)
Date: Wed, 7 Jan 2026 18:40:00 +0100
Message-Id: <bo-cover-reply-1@example.org>
In-Reply-To: $cover1
References: $cover1
List-Id: patchbay demo <patchbay.lists.example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

On 05/01/2026 10:00, Jörg Demo wrote:
> Three small touch-ups found while setting up a demo machine

Thanks. Please send a v2 with Ada's wording for patch 1, then I'll
take the series.

Bo

EOF
  cat "$work"/v2/*0000-*.patch "$work"/v2/*0001-*.patch "$work"/v2/*0002-*.patch "$work"/v2/*0003-*.patch
} > "$out"

echo "wrote $out ($(wc -c < "$out") bytes, $(grep -c '^From [^ ]* Mon Sep 17 00:00:00 2001$' "$out") mails)"
