#!/usr/bin/env bash
# Concurrent SIP calls: Parley calls N numbers at once through a carrier that is
# parley_sip_load_peer (bench/sip_load_peer.cpp) on loopback, which answers every call, talks on
# it and records when each of Parley's RTP packets arrives. For each N it prints one line:
#
#   sip_load N=300 answered=300 p50_interval_ms=20.01 p99_interval_ms=20.40 max_interval_ms=23.10 lost=0 ...
#
# and after the sweep the largest N that kept the target (p99 interval <= P99_LIMIT_MS, no packet
# lost, every call answered):
#
#   sip_load_sweep ns=50,100,200,300,400 max_n_within_target=300
#
# Usage: bench/sip_load.sh [N ...]   (default: 50 100 200 300 400)
#
# Environment (all optional):
#   DURATION        seconds the peer keeps each call before its BYE (default 30)
#   SPEECH_WORKERS  parley's --speech-workers (default 2)
#   P99_LIMIT_MS    the target for the p99 interval (default 22)
#   LOG_LEVEL       parley's --log-level (default info: the SIP and call lines help a failed run)
#   BUILD           1 (default) builds parley and the peer in build-bench first; 0 uses what is there
#   PEER_BIN        the peer (default build-bench/parley_sip_load_peer); PARLEY_BIN as in lib.sh
#   BENCH_KEEP      1 keeps the temporary folder (parley's log, the peer's output, metrics)
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-30}"
SPEECH_WORKERS="${SPEECH_WORKERS:-2}"
P99_LIMIT_MS="${P99_LIMIT_MS:-22}"
WARMUP_SECONDS="${WARMUP_SECONDS:-8}"
LOG_LEVEL="${LOG_LEVEL:-info}"
PEER_BIN="${PEER_BIN:-$REPO_DIR/build-bench/parley_sip_load_peer}"
SIZES=("$@")
((${#SIZES[@]} > 0)) || SIZES=(50 100 200 300 400)

# Both sides' RTP ports stay below the kernel's ephemeral range (32768 and up on Debian), so a
# client socket of curl or of either process never holds a port the other was told to use.
PARLEY_RTP_FIRST=10000
PEER_RTP_BASE=20000
CLK_TCK="$(getconf CLK_TCK)"
PEER_PID=""

sip_cleanup() {
    local rc=$?
    stop_pid "$PEER_PID" peer
    PEER_PID=""
    (exit "$rc")
    bench_cleanup
}

# The cumulative CPU time of a process (user + system) in clock ticks.
cpu_ticks() {
    # Fields after the command name, which is in parentheses and may hold spaces.
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    awk '{ print $12 + $13 }' <<<"$stat"
}

# "busy steal" clock ticks of the whole machine (all cores) from /proc/stat.
machine_ticks() {
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $9 }' /proc/stat
}

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# "tid ticks" of each of a process's threads.
thread_ticks() {
    local task stat
    for task in /proc/"$1"/task/*; do
        stat="$(cat "$task/stat" 2>/dev/null)" || continue
        stat="${stat##*) }"
        printf '%s %s\n' "${task##*/}" "$(awk '{ print $12 + $13 }' <<<"$stat")"
    done
}

# What a thread is blocked in, which tells Parley's threads apart (they all share one name):
# the media loop sleeps in clock_nanosleep between ticks, the SIP and HTTP threads poll, the
# speech workers and the rest wait on a futex.
thread_wait() {
    local call
    call="$(cut -d' ' -f1 "/proc/$1/task/$2/syscall" 2>/dev/null)" || call=""
    case "$call" in
        230) echo nanosleep ;;
        202) echo futex ;;
        7 | 271) echo poll ;;
        232 | 281 | 441) echo epoll ;;
        running) echo running ;;
        *) echo "syscall$call" ;;
    esac
}

# The callee's words: "Sorry, could you repeat that?" spoken by flite (the library Parley
# itself links, through Python's ctypes). Parley's scripted agent answers it by asking its
# question again, so every call goes on talking until the peer hangs up, and the agent's
# prompts come from the speech cache. Prints nothing when flite cannot be loaded.
callee_wav() {
    python3 - "$1" <<'EOF' 2>/dev/null || true
import ctypes, sys
flite = ctypes.CDLL("libflite.so.1", mode=ctypes.RTLD_GLOBAL)
for lib in ("libflite_usenglish.so.1", "libflite_cmulex.so.1"):
    ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
kal = ctypes.CDLL("libflite_cmu_us_kal.so.1", mode=ctypes.RTLD_GLOBAL)
flite.flite_init()
kal.register_cmu_us_kal.restype = ctypes.c_void_p
voice = kal.register_cmu_us_kal(None)
flite.flite_text_to_speech.restype = ctypes.c_float
flite.flite_text_to_speech.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p]
if flite.flite_text_to_speech(b"Sorry, could you repeat that?", voice, sys.argv[1].encode()) > 0:
    print(sys.argv[1])
EOF
}


expect_status() { # expect_status WANT "STATUS BODY" WHAT
    [[ "${2%% *}" == "$1" ]] || die "$3 answered ${2:0:400}"
}

json_get() { # json_get "STATUS BODY" KEY.PATH
    python3 -c 'import json, sys
v = json.loads(sys.argv[1].split(" ", 1)[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# start_sip_parley N: lib.sh's start_parley with SIP on loopback and lines for N calls.
start_sip_parley() {
    local n="$1" sip_port rtp_last
    sip_port="$(free_port)"
    rtp_last=$((PARLEY_RTP_FIRST + 2 * n + 199))
    PARLEY_TAG="-$n" PARLEY_LOG_LEVEL="$LOG_LEVEL" start_parley 2 --sip-listen "127.0.0.1:$sip_port" \
        --rtp-ports "$PARLEY_RTP_FIRST-$rtp_last" --max-calls "$n" --max-local-calls "$n" --speech-workers "$SPEECH_WORKERS"
}

# The media clock's lateness quantiles from /metrics: "p50 p99 max".
lateness() {
    curl -sS "$PARLEY_URL/metrics" >"$BENCH_TMP/metrics" 2>/dev/null || true
    python3 - "$BENCH_TMP/metrics" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
q = dict(re.findall(r'parley_media_frame_lateness_ms\{quantile="([0-9.]+)"\} ([0-9.eE+-]+)', text))
print(" ".join(q.get(k, "na") for k in ("0.5", "0.99", "1")))
EOF
}

# wait_peer_line N WORD SECONDS: until the peer of this run has written WORD on its stderr.
wait_peer_line() {
    local deadline=$((SECONDS + $3))
    until grep -q "$2" "$BENCH_TMP/peer-$1.err"; do
        ((SECONDS < deadline)) && kill -0 "$PEER_PID" 2>/dev/null || return 1
        sleep 0.2
    done
}

# run_one N: one server, N calls at once; prints the sip_load line. Returns 1 when the target
# was missed.
run_one() {
    local n="$1" peer_port status carrier profile body batch i deadline spread
    local cpu0 cpu1 t0 t1 rss0 rss rss_max window peer_line late threads0 warmup peer0 peer1 machine0 machine1
    peer_port="$(free_port)"
    "$PEER_BIN" --listen "127.0.0.1:$peer_port" --rtp-base "$PEER_RTP_BASE" --rtp-ports $((n + 100)) --expect "$n" \
        --warmup 1 --duration "$DURATION" --timeout $((DURATION + 300)) "${CALLEE_ARGS[@]}" \
        >"$BENCH_TMP/peer-$n.out" 2>"$BENCH_TMP/peer-$n.err" &
    PEER_PID=$!
    start_sip_parley "$n"

    status="$(api PATCH /api/v1/dialer/settings \
        "{\"max_concurrent_calls\":$n,\"legal_hours_guard\":{\"enabled\":false}}")"
    expect_status 200 "$status" "PATCH /api/v1/dialer/settings"
    status="$(api POST /api/v1/phone-numbers/carriers "{\"name\":\"Load peer\",\"sip_host\":\"127.0.0.1\",
        \"sip_port\":$peer_port,\"max_channels\":$n}")"
    expect_status 201 "$status" "POST /api/v1/phone-numbers/carriers"
    carrier="$(json_get "$status" data.id)"
    status="$(api POST /api/v1/phone-numbers "{\"number\":\"+14155550100\",\"carrier_id\":\"$carrier\"}")"
    expect_status 201 "$status" "POST /api/v1/phone-numbers"
    status="$(api POST /api/v1/profiles '{"name":"Load","agent_name":"Alex",
        "opener":"Hi, this is Alex from Parley. I am calling about our scheduling software. Do you have a minute?"}')"
    expect_status 201 "$status" "POST /api/v1/profiles"
    profile="$(json_get "$status" data.id)"
    body="$(python3 - "$BENCH_DIR" "$profile" "$n" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
from bench_client import phone
print(json.dumps({"profile_id": sys.argv[2], "from": "+14155550100",
                  "calls": [{"phone": phone(i)} for i in range(int(sys.argv[3]))]}))
EOF
)"

    # One call first, out of every count: it loads the recognizer and puts the agent's prompts in
    # the speech cache, so the baseline memory below holds what every call shares.
    status="$(api POST /api/v1/calls "{\"profile_id\":\"$profile\",\"from\":\"+14155550100\",
        \"phone\":\"$(python3 "$BENCH_DIR/bench_client.py" phone "$n")\"}")"
    expect_status 201 "$status" "POST /api/v1/calls (warm-up)"
    warmup="$(json_get "$status" data.id)"
    wait_peer_line "$n" warmup_answered 30 || die "the warm-up call was not answered"
    sleep "$WARMUP_SECONDS"
    status="$(api POST "/api/v1/calls/$warmup/stop" '{}')"
    expect_status 202 "$status" "POST /api/v1/calls/$warmup/stop"
    wait_peer_line "$n" warmup_ended 30 || die "the warm-up call did not end"
    sleep 1
    rss0="$(rss_kib "$PARLEY_PID")"
    status="$(api POST /api/v1/batches "$body")"
    expect_status 201 "$status" "POST /api/v1/batches"
    batch="$(json_get "$status" data.batch_id)"
    [[ "$(json_get "$status" data.queued)" == "$n" ]] || die "the batch queued fewer than $n calls: ${status:0:400}"

    deadline=$((SECONDS + 60 + n / 10))
    until grep -q 'answered_all' "$BENCH_TMP/peer-$n.err"; do
        if ((SECONDS >= deadline)) || ! kill -0 "$PEER_PID" 2>/dev/null || ! kill -0 "$PARLEY_PID" 2>/dev/null; then
            echo "bench: not every call was answered: $(grep -c . "$BENCH_TMP/peer-$n.err") peer lines," \
                "$(tail -1 "$BENCH_TMP/peer-$n.err")" >&2
            break
        fi
        sleep 0.2
    done
    spread="$(grep -o 'spread_s=[0-9.]*' "$BENCH_TMP/peer-$n.err" | cut -d= -f2)"
    spread="${spread:-0}"
    # The steady window: every call up, none ended yet (the first ends DURATION after its answer).
    window="$(awk -v d="$DURATION" -v s="$spread" 'BEGIN { w = d - s - 5; print (w < 3 ? 3 : int(w)) }')"
    sleep 2
    cpu0="$(cpu_ticks "$PARLEY_PID")"
    peer0="$(cpu_ticks "$PEER_PID")"
    machine0="$(machine_ticks)"
    threads0="$(thread_ticks "$PARLEY_PID")"
    t0="$(date +%s.%N)"
    rss_max="$rss0"
    for ((i = 0; i < window; i++)); do
        sleep 1
        rss="$(rss_kib "$PARLEY_PID")"
        ((rss > rss_max)) && rss_max="$rss"
    done
    cpu1="$(cpu_ticks "$PARLEY_PID")"
    peer1="$(cpu_ticks "$PEER_PID")"
    machine1="$(machine_ticks)"
    t1="$(date +%s.%N)"
    # Parley's busiest threads over the window, with what each was blocked in at its end (to
    # stderr: evidence for a run that missed the target, not the result).
    local tid before after top=""
    while read -r tid before after; do
        top+="$(thread_wait "$PARLEY_PID" "$tid")/$tid=$(awk -v d=$((after - before)) -v hz="$CLK_TCK" -v a="$t0" \
            -v b="$t1" 'BEGIN { printf "%.1f%%", 100 * d / hz / (b - a) }') "
    done < <(join <(sort <<<"$threads0") <(thread_ticks "$PARLEY_PID" | sort) | awk '{ print $1, $2, $3, $3 - $2 }' |
        sort -k4 -rn | head -8 | cut -d' ' -f1-3)
    echo "bench: N=$n parley threads (blocked-in/tid=CPU over the window): $top" >&2
    late="$(lateness)"

    # The peer ends once every call has ended (DURATION after its answer).
    deadline=$((SECONDS + DURATION + 60))
    while kill -0 "$PEER_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    stop_pid "$PEER_PID" peer
    PEER_PID=""
    peer_line="$(grep '^sip_load_peer ' "$BENCH_TMP/peer-$n.out" || true)"
    [[ -n "$peer_line" ]] || die "the peer printed no result: $(tail -3 "$BENCH_TMP/peer-$n.err")"
    # The call writer records the ends a moment after the BYEs.
    deadline=$((SECONDS + 20))
    status="$(api GET "/api/v1/batches/$batch")"
    until [[ "$(json_get "$status" data.status)" == completed ]] || ((SECONDS >= deadline)); do
        sleep 0.5
        status="$(api GET "/api/v1/batches/$batch")"
    done
    local counts
    counts="$(python3 -c 'import json, sys
c = json.loads(sys.argv[1].split(" ", 1)[1])["data"]["counts"]
print(",".join(f"{k}:{v}" for k, v in sorted(c.items())))' "$status")"
    grep -c -E '\[(warning|error|critical)\]' "$BENCH_TMP/parley-$n.out" "$BENCH_TMP/parley-$n.err" |
        awk -F: -v n="$n" '{ s += $2 } END { if (s) print "bench: N=" n " parley logged " s " warnings or errors" }' >&2
    stop_parley

    python3 - "$n" "$peer_line" "$cpu0" "$cpu1" "$t0" "$t1" "$CLK_TCK" "$rss0" "$rss_max" "$late" "$counts" \
        "$P99_LIMIT_MS" "$SPEECH_WORKERS" "$peer0" "$peer1" "$machine0" "$machine1" <<'EOF'
import sys
n, peer, cpu0, cpu1, t0, t1, hz, rss0, rss_max, late, counts, limit, workers = sys.argv[1:14]
peer0, peer1, machine0, machine1 = sys.argv[14:]
n = int(n)
f = dict(kv.split("=", 1) for kv in peer.split()[1:])
seconds = float(t1) - float(t0)
pct = lambda ticks: 100.0 * ticks / int(hz) / seconds
cpu_pct = pct(int(cpu1) - int(cpu0))
peer_pct = pct(int(peer1) - int(peer0))
busy0, steal0 = map(int, machine0.split())
busy1, steal1 = map(int, machine1.split())
# What the rest of the machine used meanwhile (other processes, interrupts): a run with much of
# it was not taken on a quiet machine.
other_pct = pct(busy1 - busy0) - cpu_pct - peer_pct
p50, p99, lmax = late.split()
ok = (int(f["answered"]) == n and int(f["lost"]) == 0 and int(f["calls_without_media"]) == 0
      and float(f["p99_interval_ms"]) <= float(limit))
print(f"sip_load N={n} answered={f['answered']} p50_interval_ms={f['p50_interval_ms']} "
      f"p99_interval_ms={f['p99_interval_ms']} max_interval_ms={f['max_interval_ms']} lost={f['lost']} "
      f"steady_p99_interval_ms={f['steady_p99_interval_ms']} steady_max_interval_ms={f['steady_max_interval_ms']} "
      f"cpu_pct={cpu_pct:.1f} cpu_per_call_pct={cpu_pct / n:.3f} rss_per_call_kib={(int(rss_max) - int(rss0)) / n:.0f} "
      f"lateness_p50_ms={p50} lateness_p99_ms={p99} lateness_max_ms={lmax} speech_workers={workers} "
      f"answer_spread_s={f['answer_spread_s']} peer_cpu_pct={peer_pct:.1f} other_cpu_pct={max(other_pct, 0):.1f} "
      f"steal_pct={pct(steal1 - steal0):.1f} calls={counts} within_target={1 if ok else 0}")
sys.exit(0 if ok else 1)
EOF
}

bench_init
trap sip_cleanup EXIT
require_tools curl python3 awk join
if [[ "${BUILD:-1}" == 1 ]]; then
    cmake --build "$REPO_DIR/build-bench" -j2 --target parley parley_sip_load_peer >"$BENCH_TMP/build.log" 2>&1 || {
        tail -30 "$BENCH_TMP/build.log" >&2
        die "building parley and parley_sip_load_peer in build-bench failed (configure it first: bench/README.md)"
    }
fi
[[ -x "$PARLEY_BIN" ]] || die "no server binary at $PARLEY_BIN"
[[ -x "$PEER_BIN" ]] || die "no peer at $PEER_BIN (cmake --build build-bench --target parley_sip_load_peer)"
# Parley holds two sockets per call (RTP and RTCP), the peer two as well.
(($(ulimit -n) >= 4 * ${SIZES[-1]} + 256)) || ulimit -n $((4 * ${SIZES[-1]} + 256)) ||
    die "ulimit -n is $(ulimit -n): too few file descriptors for ${SIZES[-1]} calls"

# The callee's audio: flite's words when it loads, the peer's synthesized voice otherwise.
CALLEE_ARGS=()
if [[ -n "$(callee_wav "$BENCH_TMP/callee.wav")" ]]; then
    CALLEE_ARGS=(--wav "$BENCH_TMP/callee.wav" --cycle-ms 8000)
else
    echo "bench: flite not loadable from Python; the callee speaks the peer's synthesized voice" >&2
fi

best=0
for n in "${SIZES[@]}"; do
    if run_one "$n"; then
        ((n > best)) && best="$n"
    fi
done
echo "sip_load_sweep ns=$(
    IFS=,
    echo "${SIZES[*]}"
) max_n_within_target=$best duration_s=$DURATION"
