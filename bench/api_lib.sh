# Shared by bench/api_bench.sh and bench/query_plans.sh (sourced, not run).
# DB is a SQLite file path or a postgresql:// URL.
#
#   api_db_query DB SQL
#       prints the rows of SQL (columns separated by |), with sqlite3 or psql
#   api_start_server BINARY DB PORT LOGFILE [VAR=value...]
#       starts `patchbay serve` (plus "${serve_args[@]}" if set) with those
#       environment variables, sets $server_pid and $base, waits for "serving on"
#   api_stop_server
#   api_endpoints DB PROJECT TMPDIR
#       fills the arrays ep_names / ep_paths (and writes TMPDIR/detail.lua)
#       with the endpoints of the 1M benchmark; needs $base (a running server)
#       for the Link headers that give each list's last page.

api_db_query() {
  case "$1" in
    postgres://*|postgresql://*) psql -qAtX "$1" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}

api_db_url() {
  case "$1" in
    postgres://*|postgresql://*) echo "$1" ;;
    *) echo "sqlite://$1" ;;
  esac
}

api_start_server() {
  local binary=$1 db=$2 port=$3 log=$4
  shift 4
  # patchbay listens with SO_REUSEPORT: a leftover server on the port would
  # silently take a share of the requests.
  if command -v ss >/dev/null && [ -n "$(ss -Htln "sport = :$port")" ]; then
    echo "something already listens on 127.0.0.1:$port:" >&2; ss -tlnp "sport = :$port" >&2; return 1
  fi
  env "$@" "$binary" serve --database "$(api_db_url "$db")" --listen "127.0.0.1:$port" \
    ${serve_args[@]+"${serve_args[@]}"} >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    grep -q "serving on" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; return 1; }
    sleep 0.1
  done
  grep -q "serving on" "$log" || { echo "server not ready after 60 s" >&2; cat "$log" >&2; return 1; }
  base="http://127.0.0.1:$port"
}

api_stop_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && { echo "server ignored SIGTERM; killing" >&2; kill -KILL "$server_pid"; }
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# The page number of rel="last" in the Link header of GET $base$1 (1 when
# the header has no last link with a page parameter: a single page).
api_last_page() {
  local link
  link=$(curl -sf -D - -o /dev/null "$base$1" | tr -d '\r' | sed -n 's/^[Ll]ink: //p')
  [ -n "$link" ] || { echo "no Link header on $1" >&2; return 1; }
  python3 - "$link" <<'EOF'
import re, sys
for part in sys.argv[1].split(","):
    m = re.match(r'\s*<([^>]*)>;\s*rel="last"', part)
    if m:
        p = re.search(r'[?&]page=(\d+)', m.group(1))
        print(p.group(1) if p else 1)
        break
else:
    sys.exit("no rel=last in " + sys.argv[1])
EOF
}

api_endpoints() {
  local db=$1 x=$2 tmp=$3
  local q="/api/patches/?project=$x&state=new&order=-date"
  local last last100 elast clast mid s30 s30n
  last=$(api_last_page "$q") || return 1
  last100=$(api_last_page "$q&per_page=100") || return 1
  elast=$(api_last_page "/api/events/?project=$x") || return 1
  clast=$(api_last_page "/api/covers/?project=$x") || return 1
  mid=$(( (last + 1) / 2 ))
  # Cross-check the Link header against a count in the database.
  local nnew
  nnew=$(api_db_query "$db" "SELECT count(*) FROM patches WHERE project_id = $x AND state_id = 1")
  [ "$last" = $(( (nnew + 29) / 30 )) ] ||
    { echo "last page $last disagrees with $nnew new patches" >&2; return 1; }
  s30=$(api_db_query "$db" "SELECT id FROM series WHERE project_id = $x AND received_total = 30 ORDER BY id LIMIT 1")
  [ -n "$s30" ] || { echo "no 30-patch series in project $x" >&2; return 1; }
  s30n=$(api_db_query "$db" "SELECT count(*) FROM patches WHERE series_id = $s30")

  # Patch ids for the detail endpoint: 20,000 real ids over all projects.
  api_db_query "$db" "SELECT id FROM patches ORDER BY id" > "$tmp/ids.txt"
  python3 "$repo/bench/detail_lua.py" "$tmp/ids.txt" "$tmp/detail.lua" 20000 4999
  ep_names=(detail list-new-p1 list-new-mid list-new-last list-new-last-pp100
            events-p1 events-last series-30 covers-last)
  ep_paths=("/api/patches/<random id>/"
            "$q"
            "$q&page=$mid"
            "$q&page=$last"
            "$q&per_page=100&page=$last100"
            "/api/events/?project=$x"
            "/api/events/?project=$x&page=$elast"
            "/api/series/$s30/"
            "/api/covers/?project=$x&page=$clast")
  ep_notes=("ids from 20,000 random patches of all projects"
            "$nnew new patches in project $x"
            "page $mid of $last"
            "page $last of $last"
            "page $last100 of $last100 at 100 per page"
            ""
            "page $elast of $elast"
            "$s30n patches"
            "page $clast of $clast")
  ep_lua=("$tmp/detail.lua" "" "" "" "" "" "" "" "")
}
