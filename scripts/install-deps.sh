#!/usr/bin/env bash
# Installs the Debian 12 packages contactd needs to build, test and run, skipping what is already there.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds wrk and gnuplot for the end-to-end benchmark)
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
    libboost-dev libboost-system-dev libsimdjson-dev libpqxx-dev libpq-dev libphonenumber-dev
    libssl-dev zlib1g-dev liblz4-dev libjemalloc-dev iso-codes postgresql-15 libgtest-dev libbenchmark-dev
)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(wrk gnuplot-nox postgresql-contrib)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
