#!/usr/bin/env bash
# Reserves huge pages for the embedded PostgreSQL's shared memory (vm.nr_hugepages), so that its 1 GB of
# shared buffers is mapped with 2 MB pages instead of 4 kB ones. PostgreSQL uses them when they are there
# (huge_pages = try) and runs without them otherwise; on the 2-core virtual machines we measure on, they cut
# an index probe of a batch chunk's read by about 40% and PostgreSQL's CPU an item by 5-13%
# (docs/decisions.md, "Huge pages"). `contactd serve` logs how much of its server's memory got them.
#
# Usage: scripts/reserve-huge-pages.sh [PAGES]   (default 600)
# contactd's embedded settings need 561 pages of 2 MB (`postgres -C shared_memory_size_in_huge_pages` with
# them); 600 leaves room. Only ever raises the reservation. Needs root; without it, or where the kernel
# refuses (a container without the privilege), it says so and changes nothing: it never fails its caller.
set -uo pipefail

wanted="${1:-600}"
[[ "$wanted" =~ ^[0-9]+$ ]] || { echo "reserve-huge-pages: PAGES must be a number" >&2; exit 2; }
knob=/proc/sys/vm/nr_hugepages
current=$(cat "$knob" 2>/dev/null || echo 0)
if (( current >= wanted )); then
    echo "huge pages: $current reserved (wanted $wanted)"
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! echo "$wanted" >"$knob" 2>/dev/null; then
    echo "huge pages: $current reserved, could not reserve $wanted (needs root: sysctl -w vm.nr_hugepages=$wanted);" \
        "PostgreSQL runs on normal pages"
    exit 0
fi
# The kernel reserves what it can find free in one go; memory fragmented by a long uptime may yield fewer.
echo "huge pages: $(cat "$knob") reserved (wanted $wanted, was $current)"
