#!/usr/bin/env bash
# Coverage-guided fuzzing of Parley's parsers with afl++, each target for SECONDS (default 15),
# in a build with AddressSanitizer and UndefinedBehaviorSanitizer. Prints one line per target:
# executions and crashes. A crash fails the run; its input is kept in build-fuzz/crashes/NAME/,
# and belongs in tests/fuzz/corpus/NAME/ once the bug is fixed, so ctest replays it for good.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
jobs=${JOBS:-2}

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_FUZZ=ON -DPARLEY_SANITIZE=ON \
    -DPARLEY_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target parley_fuzzers >/dev/null

# afl-fuzz as a batch job: no screen, no CPU binding, and no demands on the machine's core
# dump and CPU frequency settings, which a CI machine does not let a test change.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    AFL_NO_CRASH_README=1
# A sanitizer's finding must end the run with an abort, which afl-fuzz counts as a crash.
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
failed=0
for corpus in tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    out=build-fuzz/afl/$name
    rm -rf "$out"
    mkdir -p "$out"
    afl-fuzz -i "$corpus" -o "$out" -V "$seconds" -- "build-fuzz/tests/fuzz/fuzz_$name" \
        >"$out.log" 2>&1 </dev/null || { echo "fuzz $name: afl-fuzz failed:"; tail -5 "$out.log"; failed=1; continue; }
    stats=$out/default/fuzzer_stats
    execs=$(awk -F' *: *' '$1 == "execs_done" {print $2}' "$stats")
    crashes=$(awk -F' *: *' '$1 == "saved_crashes" {print $2}' "$stats")
    echo "fuzz $name: $execs executions in ${seconds} s, $crashes crashes"
    if [ "${crashes:-0}" -gt 0 ]; then
        mkdir -p "build-fuzz/crashes/$name"
        for f in "$out"/default/crashes/id*; do
            cp "$f" "build-fuzz/crashes/$name/crash-$(sha1sum "$f" | cut -c1-16)"
        done
        failed=1
    fi
done
exit $failed
