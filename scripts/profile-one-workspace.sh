#!/usr/bin/env bash
# The single-workspace measurement behind the commit messages and docs/decisions.md: a fresh server (the
# Release build of scripts/bench.sh), bench-0's preload of the reference workload, a checkpoint, then the
# first N items of bench-0's timed batch as one job, timed from POST to completed. Prints items/s and the
# CPU seconds per item of contactd and of PostgreSQL (all its processes), which is what bounds throughput
# on two cores. Quicker than the whole benchmark (about a minute) and steadier for A/B comparisons: run
# two builds one after the other, twice each.
#
# Usage: scripts/profile-one-workspace.sh [ITEMS]   (default 200000; at most 500000)
# Environment:
#   CONTACTD_BIN          the server binary (default build-bench/app/contactd; run scripts/bench.sh once)
#   CONTACTD_BENCH_DATA   where scripts/bench.sh keeps the workloads (default /tmp/contactd-bench)
#   CONTACTD_LOG_LEVEL    debug: the server logs each chunk's stage timings (in $run_dir/server.log)
#   PERF_SECONDS          when set, `perf record -g` of contactd for that many seconds into $run_dir/perf.data
#   STATEMENTS=1          PostgreSQL runs with pg_stat_statements (through a wrapper of its binaries, which
#                         contactd is pointed at with CONTACTD_PG_BIN); the timed phase's statements, by total
#                         time, with µs per item and full-page images, go to $run_dir/statements.txt
set -euo pipefail
cd "$(dirname "$0")/.."

items="${1:-200000}"
bin="${CONTACTD_BIN:-build-bench/app/contactd}"
workload="${CONTACTD_BENCH_DATA:-/tmp/contactd-bench}/items-1000000-seed-20261123"
port=18090
[[ -x "$bin" ]] || { echo "no $bin: run scripts/bench.sh once (it builds it)" >&2; exit 2; }
[[ -f "$workload/batch-bench-0.ndjson" ]] || { echo "no workload in $workload: run scripts/bench.sh once" >&2; exit 2; }

scripts/reserve-huge-pages.sh >/dev/null  # as scripts/bench.sh does
run_dir=$(mktemp -d /tmp/contactd-one-workspace.XXXXXX)
chmod 755 "$run_dir"  # the embedded PostgreSQL runs as user postgres and must reach its folder
head -n "$items" "$workload/batch-bench-0.ndjson" >"$run_dir/batch.ndjson"
if [[ -n "${STATEMENTS:-}" ]]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    mkdir -p "$run_dir/pg-bin"
    ln -s "$pg_bin/initdb" "$run_dir/pg-bin/initdb"
    printf '#!/bin/sh\nexec %s/postgres "$@" -c shared_preload_libraries=pg_stat_statements\n' "$pg_bin" \
        >"$run_dir/pg-bin/postgres"
    chmod 755 "$run_dir/pg-bin" "$run_dir/pg-bin/postgres"
    export CONTACTD_PG_BIN="$run_dir/pg-bin"
fi
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$run_dir/data" --admin-token admin >"$run_dir/server.log" 2>&1 &
server=$!
# On exit: stop the server and drop its database (the logs and perf.data stay).
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$run_dir/data" "$run_dir/batch.ndjson"' EXIT
for _ in $(seq 200); do
    curl -sf "127.0.0.1:$port/healthz" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { tail -5 "$run_dir/server.log" >&2; exit 1; }
    sleep 0.3
done

api="http://127.0.0.1:$port"
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
key=$(curl -sf -XPOST "$api/v1/admin/workspaces" -H "Authorization: Bearer admin" -H "Content-Type: application/json" \
    -d '{"id": "bench-0", "requests_per_minute": 1000000}' | json_field '["api_key"]')
submit() {
    curl -sf -XPOST "$api/v1/batches" -H "Authorization: Bearer $key" -H "Content-Type: application/x-ndjson" \
        --data-binary "@$1" | json_field '["job_id"]'
}
wait_completed() {
    until curl -sf "$api/v1/batches/$1" -H "Authorization: Bearer $key" | grep -q '"status":"completed"'; do
        sleep 0.2
    done
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
    local total=0
    for pid in $(pgrep -f "postgres" || true); do total=$((total + $(cpu_ticks "$pid"))); done
    echo "$total"
}

echo "preload: $(wc -l <"$workload/preload-bench-0.ndjson") contacts"
wait_completed "$(submit "$workload/preload-bench-0.ndjson")"
psql -h "$run_dir/data/pg/run" -U postgres -d contactd -qc CHECKPOINT
if [[ -n "${STATEMENTS:-}" ]]; then
    psql -h "$run_dir/data/pg/run" -U postgres -d contactd -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "SELECT pg_stat_statements_reset()" >/dev/null
fi

echo "timed: $items items"
contactd_before=$(cpu_ticks "$server")
postgres_before=$(postgres_ticks)
started=$(date +%s.%N)
job=$(submit "$run_dir/batch.ndjson")
if [[ -n "${PERF_SECONDS:-}" ]]; then
    perf record -g -p "$server" -o "$run_dir/perf.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1
fi
wait_completed "$job"
ended=$(date +%s.%N)
contactd_after=$(cpu_ticks "$server")
postgres_after=$(postgres_ticks)

python3 - "$items" "$started" "$ended" "$contactd_before" "$contactd_after" "$postgres_before" "$postgres_after" <<'EOF'
import os, sys
items, t0, t1, c0, c1, p0, p1 = int(sys.argv[1]), *map(float, sys.argv[2:])
hz = os.sysconf("SC_CLK_TCK")
seconds = t1 - t0
contactd, postgres = (c1 - c0) / hz, (p1 - p0) / hz
print(f"{items} items in {seconds:.1f} s = {items / seconds:,.0f} items/s; "
      f"CPU per item: contactd {contactd / items * 1e6:.1f} us, PostgreSQL {postgres / items * 1e6:.1f} us")
EOF
if [[ -n "${STATEMENTS:-}" ]]; then
    psql -h "$run_dir/data/pg/run" -U postgres -d contactd -c "SELECT calls, round(total_exec_time) AS exec_ms,
        round((total_exec_time * 1000 / $items)::numeric, 1) AS us_per_item, rows, wal_fpi,
        round(wal_bytes / 1e6) AS wal_mb, left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS statement
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" >"$run_dir/statements.txt"
fi
echo "run folder (server.log, perf.data, statements.txt): $run_dir"
