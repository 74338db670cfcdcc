#!/usr/bin/env bash
# Reserves huge pages for the embedded PostgreSQL's shared memory (vm.nr_hugepages), so that its 1 GB of
# shared buffers is mapped with 2 MB pages instead of 4 kB ones. PostgreSQL uses them when enough are there
# (huge_pages = try) and runs on normal pages otherwise; on the 2-core virtual machines we measure on, they
# made the benchmark's preload 14-16% faster and PostgreSQL's CPU a batch item up to 7% lower
# (docs/decisions.md, "Huge pages"). `contactd serve` logs how much of its server's memory got them.
#
# Usage: scripts/reserve-huge-pages.sh [PAGES]   (default 600)
# contactd's embedded settings need 561 pages of 2 MB (`postgres -C shared_memory_size_in_huge_pages` with
# them); 600 leaves room. Reserved pages are memory no one else can use, so this only ever raises the
# reservation, never to more than a quarter of the machine's memory, and puts it back when the kernel could
# not find enough (fragmented memory): a partial reservation would be lost to PostgreSQL, which maps all of
# its shared memory one way or the other. Needs root; without it, or where the kernel refuses (a container
# without the privilege), it says so and changes nothing. It never fails its caller.
set -uo pipefail

needed=561
wanted="${1:-600}"
[[ "$wanted" =~ ^[0-9]+$ ]] || { echo "reserve-huge-pages: PAGES must be a number" >&2; exit 2; }
wanted=$((10#$wanted))
knob=/proc/sys/vm/nr_hugepages
current=$(cat "$knob" 2>/dev/null || echo 0)
if (( current >= wanted )); then
    echo "huge pages: $current reserved (wanted $wanted)"
    exit 0
fi
page_kib=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo 2>/dev/null)
memory_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)
if [[ -z "$page_kib" || -z "$memory_kib" ]] || (( wanted * page_kib > memory_kib / 4 )); then
    echo "huge pages: $current reserved; $wanted would be more than a quarter of this machine's memory" \
        "(or it has none): PostgreSQL runs on normal pages"
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! { echo "$wanted" >"$knob"; } 2>/dev/null; then
    echo "huge pages: $current reserved, could not reserve $wanted (needs root: sysctl -w vm.nr_hugepages=$wanted);" \
        "PostgreSQL runs on normal pages"
    exit 0
fi
got=$(cat "$knob")
if (( got < needed )); then
    { echo "$current" >"$knob"; } 2>/dev/null
    echo "huge pages: the kernel found only $got of $wanted (fragmented memory); left at $current," \
        "PostgreSQL runs on normal pages"
    exit 0
fi
echo "huge pages: $got reserved (wanted $wanted, was $current)"
