#!/usr/bin/env bash
# Latency of POST /api/v1/contacts/bulk with 1,000 new contacts a request.
#
# Starts a parley (SQLite, fresh data folder, enterprise organization), optionally fills it
# with SEED contacts first, then bench_client.py sends N requests one after the other over one
# keep-alive connection, each with 1,000 new contacts of unique valid phone numbers, times each
# from the first byte sent to the last byte of the answer read, and prints
#   bulk_1000 n=50 p50_ms=12.3 p95_ms=15.6 max_ms=20.1 created=50000
# Exits 1 unless every answer was 200 with all 1,000 contacts created.
#
# Environment: N (requests, 50), THREADS (parley --threads, 4), SEED (contacts made before the
# timed requests, 0), and those of lib.sh.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-50}"
THREADS="${THREADS:-4}"
SEED="${SEED:-0}"
((N >= 1 && N <= 20000)) || die "N must be from 1 to 20000"
((SEED >= 0 && SEED <= 50000000)) || die "SEED must be from 0 to 50000000"

require_tools python3
bench_init
start_parley "$THREADS"

# Contact numbers: the seed takes 0 .. SEED-1, the timed requests the next N * 1,000.
if ((SEED > 0)); then
    run_child python3 "$BENCH_DIR/bench_client.py" seed --url "$PARLEY_URL" --key "$PARLEY_KEY" --count "$SEED" >/dev/null ||
        die "seeding $SEED contacts failed"
fi
status=0
run_child python3 "$BENCH_DIR/bench_client.py" bulk-latency --url "$PARLEY_URL" --key "$PARLEY_KEY" -n "$N" --size 1000 \
    --start "$SEED" || status=$?

kill -0 "$PARLEY_PID" 2>/dev/null || die "parley died during the benchmark: $(tail -5 "$BENCH_TMP/parley.err")"
if [[ -s "$BENCH_TMP/parley.err" ]]; then
    echo "bulk_latency: parley logged (warn and above):" >&2
    tail -n 20 "$BENCH_TMP/parley.err" >&2
fi
exit "$status"
