#!/bin/sh
# Example post-receive hook for `patchbay git-sync` (docs/git-sync.md).
#
# Install it as hooks/post-receive of the repository maintainers push to
# (chmod +x), and tell it the project:
#
#   git config patchbay.project linux-foo
#   git config patchbay.database postgresql:///patchbay?host=/run/postgresql   # optional
#   git config patchbay.branch main                                           # optional: one branch only
#   git config patchbay.binary /usr/local/bin/patchbay                        # optional
#
# git feeds the hook one "<old> <new> <ref>" line per updated ref; they go
# to git-sync unchanged. The push has already succeeded when this runs, so a
# failure here only prints a warning to the pusher; `patchbay git-sync
# --project P --repo PATH` run later picks up where the last run stopped.
project=$(git config patchbay.project) || { echo "patchbay: set git config patchbay.project" >&2; exit 0; }
binary=$(git config patchbay.binary || echo patchbay)
set -- git-sync --project "$project" --repo "${GIT_DIR:-.}" --hook
database=$(git config patchbay.database) && set -- "$@" --database "$database"
branch=$(git config patchbay.branch) && set -- "$@" --branch "$branch"
"$binary" "$@" || echo "patchbay: git-sync failed (the push itself succeeded)" >&2
exit 0
