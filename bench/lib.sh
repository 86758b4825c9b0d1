# shellcheck shell=bash
# The PARLEY_* and NGINX_* variables are set here for the scripts that source this file.
# shellcheck disable=SC2034
# Helpers shared by the benchmark scripts in bench/. Source it; do not run it.
#
# Everything started here is started by this shell and stopped by bench_cleanup, which
# bench_init installs as the EXIT/INT/TERM trap: a benchmark never leaves a parley or an
# nginx behind, also when it fails half-way. Only the process ids recorded here are signalled.
#
# Environment (all optional):
#   PARLEY_BIN     the server binary (default: build-bench/parley beside this folder)
#   BENCH_KEEP     1 keeps the temporary folder (logs, database, nginx config) for a look after a run
#   NGINX_WORKERS  nginx's worker_processes (default: auto, one worker per core; see start_nginx)

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
PARLEY_BIN="${PARLEY_BIN:-$REPO_DIR/build-bench/parley}"

BENCH_TMP=""
PARLEY_PID=""
PARLEY_PORT=""
PARLEY_URL=""
PARLEY_DATA=""
PARLEY_KEY=""
NGINX_PID=""
NGINX_PORT=""
NGINX_URL=""
NGINX_ROOT=""
BENCH_CHILD=""

die() {
    echo "bench: $*" >&2
    exit 1
}

# Makes the temporary folder and installs the cleanup trap. Call once, first.
bench_init() {
    BENCH_TMP="$(mktemp -d "${TMPDIR:-/tmp}/parley-bench.XXXXXX")"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e # a failing step here must not end the cleanup (errexit would: wait returns 143 for a client killed)
    stop_pid "$BENCH_CHILD" client
    BENCH_CHILD=""
    stop_nginx
    stop_parley
    if [[ -n "$BENCH_TMP" && -d "$BENCH_TMP" ]]; then
        if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
            echo "bench: kept $BENCH_TMP" >&2
        else
            rm -rf "$BENCH_TMP"
        fi
    fi
    exit "$rc"
}

# run_child CMD...: runs a long client (wrk, bench_client.py) in the background and waits for it,
# so that SIGTERM or SIGINT to this script is acted on at once (bash runs a trap only after the
# foreground command ends) and the cleanup stops the client too. Returns the client's status.
run_child() {
    local rc=0
    "$@" &
    BENCH_CHILD=$!
    wait "$BENCH_CHILD" || rc=$?
    BENCH_CHILD=""
    return "$rc"
}

require_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "$t is not installed"
    done
}

# A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_for_port PORT [SECONDS] [PID]: until something accepts connections on 127.0.0.1:PORT.
# Gives up early when PID (the process expected to listen) has exited.
wait_for_port() {
    local port="$1" seconds="${2:-20}" pid="${3:-}"
    local deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        if (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# stop_pid PID NAME: SIGTERM, up to 15 s for a graceful exit, then SIGKILL. Reaps the child.
stop_pid() {
    local pid="$1" name="$2" i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || {
        wait "$pid" 2>/dev/null || true
        return 0
    }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench: $name (pid $pid) ignored SIGTERM for 15 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

# start_parley [THREADS [SERVE_ARGS...]]: a fresh data folder, an enterprise organization made
# with `parley org create` before the server first starts (so no rate limit gets in the way and
# serve makes no organization of its own), then `parley serve` on a port the OS picks, with
# SERVE_ARGS. PARLEY_TAG (optional) names this server's folder and output files apart from
# another run's; PARLEY_LOG_LEVEL is its --log-level (default warn).
# Sets PARLEY_PID, PARLEY_PORT, PARLEY_URL, PARLEY_DATA, PARLEY_KEY.
start_parley() {
    local threads="${1:-4}" org line i tag="${PARLEY_TAG:-}"
    shift || true
    [[ -x "$PARLEY_BIN" ]] || die "no server binary at $PARLEY_BIN (build it: see bench/README.md)"
    PARLEY_DATA="$BENCH_TMP/parley-data$tag"
    mkdir -p "$PARLEY_DATA"
    org="$("$PARLEY_BIN" org create --data "$PARLEY_DATA" --name bench --tier enterprise --log-level warn)" ||
        die "parley org create failed"
    PARLEY_KEY="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])' <<<"$org")" ||
        die "no api_key in: $org"
    "$PARLEY_BIN" serve --data "$PARLEY_DATA" --listen 127.0.0.1:0 --threads "$threads" \
        --log-level "${PARLEY_LOG_LEVEL:-warn}" "$@" >"$BENCH_TMP/parley$tag.out" 2>"$BENCH_TMP/parley$tag.err" &
    PARLEY_PID=$!
    PARLEY_PORT=""
    for ((i = 0; i < 600; i++)); do
        line="$(grep -m1 -o 'Parley listening on http://127\.0\.0\.1:[0-9]*' "$BENCH_TMP/parley$tag.out" 2>/dev/null || true)"
        if [[ -n "$line" ]]; then
            PARLEY_PORT="${line##*:}"
            break
        fi
        kill -0 "$PARLEY_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$PARLEY_PORT" ]]; then
        tail -20 "$BENCH_TMP/parley$tag.err" >&2
        die "parley serve did not start"
    fi
    wait_for_port "$PARLEY_PORT" 10 "$PARLEY_PID" || die "parley does not accept connections on $PARLEY_PORT"
    PARLEY_URL="http://127.0.0.1:$PARLEY_PORT"
}

stop_parley() {
    stop_pid "$PARLEY_PID" parley
    PARLEY_PID=""
}

# start_nginx FILE NAME: nginx serving FILE at /NAME from a generated config in the temporary
# folder. Sets NGINX_PID, NGINX_PORT, NGINX_URL, NGINX_ROOT.
#
# Configuration, chosen to be a fair ceiling for parley:
#   daemon off, master_process on: the master stays our child (its pid is $!), and SIGTERM to it
#     stops its workers too. master_process off would force a single process whatever
#     worker_processes says.
#   worker_processes ${NGINX_WORKERS:-auto}: one worker per core, as parley's thread pool may
#     use every core too.
#   access_log off, error_log and pid file in the temporary folder; keepalive_requests raised so
#     nginx does not close wrk's connections every 1,000 requests (parley does not either).
#   default_type application/json: the static file is sent as JSON, like parley's answer.
start_nginx() {
    local file="$1" name="$2" dir
    dir="$BENCH_TMP/nginx"
    NGINX_ROOT="$dir/root"
    mkdir -p "$NGINX_ROOT" "$dir/temp"
    cp "$file" "$NGINX_ROOT/$name"
    # Workers run as an unprivileged user when nginx starts as root: they must reach the file.
    chmod 755 "$BENCH_TMP" "$dir" "$NGINX_ROOT"
    chmod 644 "$NGINX_ROOT/$name"
    NGINX_PORT="$(free_port)"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-auto};
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    types { }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGINX_ROOT;
        location / { }
    }
}
EOF
    nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/test.log" || {
        cat "$dir/test.log" >&2
        die "nginx rejected its configuration"
    }
    nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/stderr.log" &
    NGINX_PID=$!
    wait_for_port "$NGINX_PORT" 10 "$NGINX_PID" || {
        cat "$dir/stderr.log" "$dir/error.log" >&2 2>/dev/null
        die "nginx did not start"
    }
    NGINX_URL="http://127.0.0.1:$NGINX_PORT"
}

stop_nginx() {
    stop_pid "$NGINX_PID" nginx
    NGINX_PID=""
}

# api METHOD PATH [BODY]: one request to parley; prints "STATUS BODY" (status first, one space).
api() {
    local method="$1" path="$2" body="${3:-}"
    local args=(-sS -o "$BENCH_TMP/api.body" -w '%{http_code}' -X "$method"
        -H "Authorization: Bearer $PARLEY_KEY" "$PARLEY_URL$path")
    if [[ -n "$body" ]]; then
        printf '%s' "$body" >"$BENCH_TMP/api.req"
        args+=(-H 'Content-Type: application/json' --data-binary "@$BENCH_TMP/api.req")
    fi
    local status
    status="$(curl "${args[@]}")" || die "curl $method $path failed"
    printf '%s ' "$status"
    cat "$BENCH_TMP/api.body"
}
