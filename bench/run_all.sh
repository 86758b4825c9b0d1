#!/usr/bin/env bash
# Runs every benchmark and prints their lines under one header line:
#   bench nproc=2 cpu="AMD EPYC" commit=1600d96 date=2026-11-23T10:40:00Z
#   contacts_http case=nginx rps=... (one line per case, then the ratio)
#   bulk_1000 n=50 p50_ms=... p95_ms=... max_ms=... created=50000
# Exits 1 when either benchmark failed; the other still runs. The environment of each script
# (DURATION, THREADS, SEED, N, ...) passes through; see bench/README.md.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

cpu="$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//')"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo none)"
if [[ "$commit" != none && -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    commit="$commit+dirty"
fi
echo "bench nproc=$(nproc) cpu=\"${cpu:-unknown}\" commit=$commit date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

status=0
"$here/contacts_http.sh" || status=1
# contacts_http's SEED is for the read cases; bulk_latency starts from an empty database
# unless BULK_SEED says otherwise.
SEED="${BULK_SEED:-0}" "$here/bulk_latency.sh" || status=1
exit "$status"
