#!/usr/bin/env bash
# Requests per second and latency of the contacts API, against nginx serving the same bytes.
#
# Starts a parley (SQLite, fresh data folder, enterprise organization) and an nginx, seeds
# contacts through the bulk endpoint, saves the exact body of GET /api/v1/contacts/<id> as
# nginx's one static file, then runs wrk against, in this order:
#   nginx         GET of the static copy of the contact (the ceiling on this machine)
#   get_contact   GET /api/v1/contacts/<id>
#   list_contacts GET /api/v1/contacts?limit=50
#   post_contact  POST /api/v1/contacts, a new unique valid phone number each request
# and prints one line per case, then the ratio of get_contact's requests/s to nginx's:
#   contacts_http case=get_contact rps=12345 p50_ms=1.23 p99_ms=4.56 non2xx=0 errors=0
#   contacts_http ratio_get_contact_vs_nginx=0.45
# Exits 1 when any case had a non-2xx answer, a socket error or timeout, or no request at all.
#
# Environment: DURATION (seconds per case, 10), THREADS (parley --threads, 4), WRK_THREADS (2),
# CONNECTIONS (32), SEED (contacts made before the runs, 10000), WARMUP (seconds of unmeasured
# load before each case, 1), CASES (space-separated subset, default all four), and those of lib.sh.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-10}"
THREADS="${THREADS:-4}"
WRK_THREADS="${WRK_THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
SEED="${SEED:-10000}"
WARMUP="${WARMUP:-1}"
CASES="${CASES:-nginx get_contact list_contacts post_contact}"
# wrk_case.lua gives each wrk thread 5,000,000 contact numbers from 80,000,000 on (warm-up: from
# 50,000,000 on); the numbering ends at 112,000,000.
((WRK_THREADS >= 1 && WRK_THREADS <= 6)) || die "WRK_THREADS must be from 1 to 6"
((SEED >= 1 && SEED <= 50000000)) || die "SEED must be from 1 to 50000000"

require_tools wrk nginx curl python3
bench_init
start_parley "$THREADS"

# Seed, and take the first contact made as the one to read.
run_child python3 "$BENCH_DIR/bench_client.py" seed --url "$PARLEY_URL" --key "$PARLEY_KEY" --count "$SEED" \
    >"$BENCH_TMP/seed.id" || die "seeding $SEED contacts failed"
CONTACT_ID="$(cat "$BENCH_TMP/seed.id")"
[[ "$CONTACT_ID" == ct_* ]] || die "seeding gave no contact id: $CONTACT_ID"

# The exact bytes parley answers for that contact become nginx's static file.
curl -sS -f -o "$BENCH_TMP/contact.json" -H "Authorization: Bearer $PARLEY_KEY" \
    "$PARLEY_URL/api/v1/contacts/$CONTACT_ID" || die "GET /api/v1/contacts/$CONTACT_ID failed"
start_nginx "$BENCH_TMP/contact.json" contact.json
curl -sS -f -o "$BENCH_TMP/contact.nginx.json" "$NGINX_URL/contact.json" || die "nginx does not serve the copy"
cmp -s "$BENCH_TMP/contact.json" "$BENCH_TMP/contact.nginx.json" || die "nginx serves other bytes than parley"
nginx_type="$(curl -sS -o /dev/null -w '%{content_type}' "$NGINX_URL/contact.json")"
[[ "$nginx_type" == application/json* ]] || die "nginx sends Content-Type $nginx_type"

# One request of each case by hand first: the status must be the expected one exactly.
expect_status() {
    local want="$1" got
    shift
    got="$(curl -sS -o "$BENCH_TMP/check.body" -w '%{http_code}' "$@")" || die "curl $* failed"
    [[ "$got" == "$want" ]] || die "expected $want, got $got from curl $*: $(head -c 500 "$BENCH_TMP/check.body")"
}
auth=(-H "Authorization: Bearer $PARLEY_KEY")
expect_status 200 "$NGINX_URL/contact.json"
expect_status 200 "${auth[@]}" "$PARLEY_URL/api/v1/contacts/$CONTACT_ID"
expect_status 200 "${auth[@]}" "$PARLEY_URL/api/v1/contacts?limit=50"
# A contact numbered outside every range the benchmarks use (see README.md), in the same shape
# as wrk_case.lua's: the phone validates and the body is accepted.
probe_phone="$(python3 "$BENCH_DIR/bench_client.py" phone 111999999)"
expect_status 201 "${auth[@]}" -H 'Content-Type: application/json' -X POST "$PARLEY_URL/api/v1/contacts" \
    --data-binary "{\"first_name\":\"Bench\",\"last_name\":\"Probe\",\"phone\":\"$probe_phone\",\"email\":\"probe@example.com\",\"company\":\"Company 1\",\"tags\":[\"bench\",\"t1\"],\"custom_fields\":{\"plan\":\"gold\",\"score\":1}}"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["data"]["phone"] != sys.argv[2])' \
    "$BENCH_TMP/check.body" "$probe_phone" || die "the probe contact came back with another phone"

failed=0
declare -A RPS

# run_case NAME URL [KEY] [MODE]: warm-up, then the measured wrk run; prints the case's line.
# POST contact numbers: the warm-up starts at 50,000,000, the measured run at 80,000,000.
run_case() {
    local name="$1" url="$2" key="${3:-}" mode="${4:-get}" out line
    local -a wrk_args=(-t"$WRK_THREADS" -c"$CONNECTIONS" --timeout 10s -s "$BENCH_DIR/wrk_case.lua")
    out="$BENCH_TMP/wrk-$name.txt"
    if ((WARMUP > 0)); then
        BENCH_KEY="$key" BENCH_MODE="$mode" BENCH_START=50000000 \
            run_child wrk "${wrk_args[@]}" -d"${WARMUP}s" "$url" >"$BENCH_TMP/wrk-$name-warmup.txt" 2>&1 ||
            die "wrk warm-up of $name failed: $(cat "$BENCH_TMP/wrk-$name-warmup.txt")"
    fi
    BENCH_KEY="$key" BENCH_MODE="$mode" BENCH_START=80000000 \
        run_child wrk "${wrk_args[@]}" -d"${DURATION}s" --latency "$url" >"$out" 2>&1 ||
        die "wrk for $name failed: $(cat "$out")"
    line="$(grep -m1 '^WRK ' "$out")" || die "no summary from wrk for $name: $(cat "$out")"
    python3 - "$name" "$line" "$BENCH_TMP/rps-$name" <<'EOF' || failed=1
import sys
name, line, rps_file = sys.argv[1:4]
f = dict(kv.split("=", 1) for kv in line.split()[1:])
n = int(f["requests"])
seconds = int(f["duration_us"]) / 1e6
errors = sum(int(f[k]) for k in ("connect", "read", "write", "timeout"))
non2xx = int(f["non2xx"])
rps = n / seconds if seconds > 0 else 0.0
with open(rps_file, "w") as out:
    out.write(f"{rps:.3f}\n")
print(f"contacts_http case={name} rps={rps:.0f} p50_ms={int(f['p50_us']) / 1000:.2f} "
      f"p99_ms={int(f['p99_us']) / 1000:.2f} non2xx={non2xx} errors={errors}", flush=True)
if n == 0 or non2xx or errors:
    print(f"contacts_http: case {name} FAILED: {n} requests, {non2xx} non-2xx, {errors} socket errors/timeouts",
          file=sys.stderr)
    sys.exit(1)
EOF
    RPS[$name]="$(cat "$BENCH_TMP/rps-$name")"
}

for c in $CASES; do
    case "$c" in
    nginx) run_case nginx "$NGINX_URL/contact.json" ;;
    get_contact) run_case get_contact "$PARLEY_URL/api/v1/contacts/$CONTACT_ID" "$PARLEY_KEY" ;;
    list_contacts) run_case list_contacts "$PARLEY_URL/api/v1/contacts?limit=50" "$PARLEY_KEY" ;;
    post_contact)
        run_case post_contact "$PARLEY_URL/api/v1/contacts" "$PARLEY_KEY" post_contact
        # wrk_case.lua's second contact of the measured run must be stored under the phone that
        # bench_client.py gives that number: the two numberings agree, so the ranges hold. (The
        # first, 80000000, is never sent: wrk calls thread 0's request() once to check it.)
        first_phone="$(python3 "$BENCH_DIR/bench_client.py" phone 80000001)"
        expect_status 200 "${auth[@]}" "$PARLEY_URL/api/v1/contacts?phone=${first_phone/+/%2B}"
        python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["data"]
sys.exit(not (len(d) == 1 and d[0]["last_name"] == "User80000001"))' "$BENCH_TMP/check.body" ||
            die "contact 80000001 ($first_phone) is not stored as wrk_case.lua should have made it: $(head -c 500 "$BENCH_TMP/check.body")"
        ;;
    *) die "unknown case $c (cases: nginx get_contact list_contacts post_contact)" ;;
    esac
done

if [[ -n "${RPS[nginx]:-}" && -n "${RPS[get_contact]:-}" ]]; then
    awk -v a="${RPS[get_contact]}" -v b="${RPS[nginx]}" \
        'BEGIN {if (b > 0) printf "contacts_http ratio_get_contact_vs_nginx=%.2f\n", a / b; else print "contacts_http ratio_get_contact_vs_nginx=nan"}'
fi

# The server must still be the one we started, alive and well, after the load.
kill -0 "$PARLEY_PID" 2>/dev/null || die "parley died during the benchmark: $(tail -5 "$BENCH_TMP/parley.err")"
if [[ -s "$BENCH_TMP/parley.err" ]]; then
    echo "contacts_http: parley logged (warn and above):" >&2
    tail -n 20 "$BENCH_TMP/parley.err" >&2
fi
exit "$failed"
