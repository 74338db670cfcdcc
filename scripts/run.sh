#!/usr/bin/env bash
# Builds contactd and runs the server on 127.0.0.1:8080 with an embedded PostgreSQL under ./.contactd.
# Extra arguments go to `contactd serve` (e.g. --listen 127.0.0.1:9090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The embedded PostgreSQL's shared buffers on 2 MB pages, where we may (root); not for an external database.
if [[ -z "${CONTACTD_DATABASE_URL:-}" && " $* " != *" --database-url"* ]]; then scripts/reserve-huge-pages.sh; fi
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCONTACTD_BUILD_TESTS=OFF -DCONTACTD_BUILD_BENCH=OFF
cmake --build build/release --target contactd
exec build/release/app/contactd serve "$@"
