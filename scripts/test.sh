#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks the format (scripts/check-style.sh),
# starts a throwaway PostgreSQL 15 server, builds, runs every unit and integration test against
# SQLite and PostgreSQL while clang-tidy (scripts/tidy.sh) and a build with AddressSanitizer and
# UndefinedBehaviorSanitizer run beside them at low priority, fuzzes every parser for a bounded
# time (scripts/fuzz.sh), then runs the tests again in the sanitizer build. Stops PostgreSQL and
# anything still running beside on exit.
#
#   scripts/test.sh              everything
#   SKIP_SANITIZE=1 scripts/test.sh   without the sanitizer build (faster, for local iterations)
#   FUZZ_SECONDS=60 scripts/test.sh   fuzz each parser longer (default 15 s)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-2}

bash scripts/install-deps.sh
echo "== style"
bash scripts/check-style.sh

# Unity builds: each target compiles its files a few at a time as one, so the heavy headers
# (Beast, nlohmann/json, spdlog, GoogleTest) are parsed far fewer times; from a fresh clone the
# RelWithDebInfo build took 4 min instead of 7 (docs/benchmarks.md). Files that cannot share a
# unit say so in their folder's CMakeLists.txt (SKIP_UNITY_BUILD_INCLUSION).
build() {  # dir, extra cmake args...
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" \
        >/dev/null
    cmake --build "$dir" -j"$jobs"
}

# --- a throwaway PostgreSQL server: own data folder, Unix socket only, trust auth -------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
pg_user=$(id -un)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: the Debian package's postgres user runs it.
    pg_user=postgres
    chown postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
fi
stop_pg() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-k $pg_dir -c listen_addresses='' -c fsync=off -c max_connections=300" start >/dev/null
export PARLEY_TEST_PG_HOST=$pg_dir PARLEY_TEST_PG_PORT=5432 PARLEY_TEST_PG_USER=$pg_user
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') at $pg_dir"

# --- the release-like build -----------------------------------------------------------------
build build

# While its tests run, clang-tidy and the sanitizer build use what the tests leave of the
# processors: at the lowest priority (nice 19) a compiler takes a processor only when no test
# wants it, and many tests wait on real time (calls, timers). Each writes a log, shown when it is
# waited for. On a slow 2-core machine this took the test command from about 61 to about 43
# minutes (docs/benchmarks.md).
background=()
stop_background() {
    for pid in "${background[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
}
trap 'stop_background; stop_pg' EXIT
logs=$(mktemp -d /tmp/parley-test-logs.XXXXXX)
in_background() {  # name, command...: runs the command in its own process group, niced
    local name=$1
    shift
    setsid nice -n 19 "$@" >"$logs/$name.log" 2>&1 &
    background+=("$!")
    eval "pid_$name=$!"
}
wait_for() {  # name, heading: waits for the job, shows its log, fails when it failed
    local name=$1 pid_var="pid_$1" status=0
    echo "$2"
    wait "${!pid_var}" || status=$?
    cat "$logs/$name.log"
    [ "$status" -eq 0 ] || { echo "$name failed" >&2; exit 1; }
}
in_background tidy bash scripts/tidy.sh build
if [ -z "${SKIP_SANITIZE:-}" ]; then
    in_background asan_build bash -c "set -euo pipefail; $(declare -f build); jobs=$jobs; build build-asan -DPARLEY_SANITIZE=ON"
fi

echo "== tests (RelWithDebInfo build)"
# One slot more than cores: the SIP calls' entry (integration_sip) mostly waits on real time.
(cd build && ctest --output-on-failure -j"$((jobs + 1))")

# --- fuzzing: every parser for a bounded time, with the sanitizers --------------------------
# At normal priority: what the sanitizer build still compiles gets the processor fuzzing leaves.
echo "== fuzzing (afl++, ${FUZZ_SECONDS:-15} s a target)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"

wait_for tidy "== clang-tidy (.clang-tidy's checks; scripts/tidy.sh)"

# --- the sanitizer build --------------------------------------------------------------------
if [ -z "${SKIP_SANITIZE:-}" ]; then
    wait_for asan_build "== the AddressSanitizer + UndefinedBehaviorSanitizer build"
    echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer build)"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
    (cd build-asan && ctest --output-on-failure -j"$((jobs + 1))")
fi
rm -rf "$logs"
echo "== all tests passed"
