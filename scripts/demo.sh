#!/usr/bin/env bash
# First command of the README: install what is missing, build, create a SQLite
# database holding the demo project, and serve it on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh patchbay
mkdir -p data
db="sqlite://$PWD/data/demo.db"
if [ ! -f data/demo.db ]; then
  ./build/patchbay demo --database "$db" demo/demo.mbox
fi
echo "patchbay: demo database at data/demo.db; try http://127.0.0.1:8000/api/patches/"
exec ./build/patchbay serve --database "$db" --listen 127.0.0.1:8000
