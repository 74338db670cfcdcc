#!/usr/bin/env bash
# The end-to-end benchmark (issue 4) in one command: installs what it needs, builds Release in build-bench/,
# generates the reference workload (once per size and seed), and runs bench/e2e's driver, which starts its own
# PostgreSQL and contactd, measures everything beside its physical reference, checks the stored data, writes
# bench/RESULTS.md and bench/results.png, and stops everything it started (also on failure or Ctrl-C).
#
# Usage: scripts/bench.sh [--items N] [--seed S] [--no-1gib] [--patch-connections N] [--patch-seconds N]
#                         [--workers N] [--keep-run-dir]
#   --items N    items of the timed batch across 20 workspaces (default 1,000,000; 100000 for a quick run)
#   --no-1gib    skip the acceptance of a 1 GiB batch (saves generating and posting ~1 GiB)
#   --workers N  batch workers of the server (contactd serve --workers; default: the server's own)
# Environment: CONTACTD_BENCH_DATA (default /tmp/contactd-bench) holds the generated workloads.
set -euo pipefail
started_at=$(date +%s)
cd "$(dirname "$0")/.."

items=1000000
seed=20261123
driver_args=()
while (( $# > 0 )); do
    case "$1" in
        --items) items="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --no-1gib | --keep-run-dir) driver_args+=("$1"); shift ;;
        --patch-connections | --patch-seconds) driver_args+=("$1" "$2"); shift 2 ;;
        --workers) driver_args+=(--server-arg --workers --server-arg "$2"); shift 2 ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "scripts/bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$items" =~ ^[0-9]+$ && "$seed" =~ ^[0-9]+$ ]] || { echo "--items and --seed take numbers" >&2; exit 2; }
large_batch=1
for arg in "${driver_args[@]}"; do [[ "$arg" == --no-1gib ]] && large_batch=0; done

scripts/install-deps.sh --bench
# Like scripts/run.sh: the server's PostgreSQL (which the references share) on huge pages where we may.
scripts/reserve-huge-pages.sh

# The Release build users run (scripts/run.sh), stated explicitly so a cached folder cannot differ. The tests
# are not needed here.
build=build-bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O3 -DNDEBUG" \
    -DCONTACTD_BUILD_TESTS=OFF -DCONTACTD_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target contactd contactd_workload_tool contactd_e2e

# The workload is deterministic: a folder that holds this size and seed is reused.
data="${CONTACTD_BENCH_DATA:-/tmp/contactd-bench}"
workload="$data/items-$items-seed-$seed"
version=$("$build/bench/contactd_workload" --version)
stamp="items=$items seed=$seed version=$version"
if [[ "$(cat "$workload/.complete" 2>/dev/null)" != "$stamp" ]]; then
    echo "generating the workload ($items items, seed $seed) into $workload"
    rm -rf "$workload"
    "$build/bench/contactd_workload" --items "$items" --seed "$seed" --out "$workload"
    echo "$stamp" >"$workload/.complete"
else
    echo "reusing the workload in $workload"
fi
if (( large_batch )); then
    # The 1 GiB batch does not depend on --items: one per seed, shared by every size.
    large="$data/large-batch-seed-$seed-v$version"
    if [[ ! -f "$large/large-batch.ndjson" ]]; then
        echo "generating the ~1 GiB batch into $large"
        "$build/bench/contactd_workload" --large-batch --seed "$seed" --out "$large"
    fi
    ln -sfn "$large/large-batch.ndjson" "$workload/large-batch.ndjson"
fi

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain --untracked-files=no -- . ':!bench/RESULTS.md' ':!bench/results.png' 2>/dev/null)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
command="scripts/bench.sh --items $items"
(( seed != 20261123 )) && command+=" --seed $seed"
(( ${#driver_args[@]} > 0 )) && command+=" ${driver_args[*]}"
command=${command//--server-arg --workers --server-arg/--workers}

exec "$build/bench/contactd_e2e" --workload "$workload" --contactd "$build/app/contactd" \
    --scripts bench/e2e --results bench/RESULTS.md --chart bench/results.png \
    --commit "$commit" --command "$command" --started-at "$started_at" "${driver_args[@]}"
