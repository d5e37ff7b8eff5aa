#!/usr/bin/env bash
# §9x: callgrind Ir per request of a one-thread `serve`, one curl at a time,
# divided by the answers that were 200 (BINARY PORT OUTDIR DBURL PATH|detail N; DBURL
# postgresql://… or sqlite://FILE; `detail` takes N+20 patch ids of project 7).
bin=$1 port=$2 out=$3 db=$4 what=$5 n=$6
mkdir -p $out; rm -f $out/cg*
if [ "$what" = detail ]; then
  case "$db" in postgresql://*) psql -qAtX "$db" -c "SELECT id FROM patches WHERE project_id = 7 ORDER BY id LIMIT $((n+20))" ;;
    *) sqlite3 "${db#sqlite://}" "SELECT id FROM patches WHERE project_id = 7 ORDER BY id LIMIT $((n+20))" ;; esac | sed 's|.*|/api/patches/&/|' > $out/paths
else
  for i in $(seq $((n+20))); do echo "$what"; done > $out/paths
fi
PATCHBAY_SERVE_MALLOC=1 valgrind --tool=callgrind --callgrind-out-file=$out/cg --instr-atstart=no \
  $bin serve --database "$db" --listen 127.0.0.1:$port --threads 1 --no-webhooks --no-response-cache > $out/log 2>&1 &
P=$!
for i in $(seq 300); do grep -q "serving on" $out/log && break; sleep 0.2; done
ok=0
for p in $(head -20 $out/paths); do curl -s -o /dev/null "http://127.0.0.1:$port$p" < /dev/null; done
callgrind_control -i on $P > /dev/null
for p in $(tail -n +21 $out/paths); do c=$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$port$p" < /dev/null); [ "$c" = 200 ] && ok=$((ok+1)); done
callgrind_control -i off $P > /dev/null
callgrind_control -d $P > /dev/null
kill $P; wait $P 2>/dev/null
ir=$(callgrind_annotate $out/cg.1 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
echo "$(basename $bin) $what: $ok of $n answered 200; Ir/request=$((ir / ok))"
