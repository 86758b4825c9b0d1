#!/usr/bin/env bash
# clang-tidy with the checks of .clang-tidy over every source file of Parley's libraries and
# programs (tests, benchmarks and fuzz targets are left out); prints each finding and fails on any.
#
#   scripts/tidy.sh [BUILD_DIR]   a build configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
#                                 (scripts/test.sh's build/ is); unity builds are checked a unit
#                                 at a time, which is what makes this take minutes, not a quarter
#                                 of an hour
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${JOBS:-2}
tidy=clang-tidy-16
command -v "$tidy" >/dev/null || { echo "tidy: $tidy is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json" >&2; exit 2; }

# The translation units of the libraries and programs: a unity build's units, and the files
# kept out of units; not tests, benchmarks, fuzz targets or generated files.
mapfile -t units < <(python3 - "$build" "$PWD" <<'PY'
import json, os, sys
build, root = sys.argv[1], sys.argv[2]
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    f = entry["file"]
    rel = os.path.relpath(f, root)
    if "_test" in f or "/tests/" in f or "/bench/" in f or "fuzz" in f:
        continue
    # A unity unit belongs to the target whose folder holds it: only src/'s targets count (the
    # benchmarks' targets sit at the top of the build).
    if "/Unity/" in f and os.path.relpath(f, build).startswith("src" + os.sep):
        print(f)
    elif "/Unity/" not in f and rel.startswith("src/"):
        print(f)
PY
)
echo "tidy: ${#units[@]} units with $($tidy --version | awk '/version/ {print $NF; exit}')"
# clang 16 parses libstdc++ 12's <expected> only when told its concepts are complete (they
# are, for what <expected> uses); -std=c++2b is clang 16's name for C++23.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
# oRTP's headers (bctoolbox's logging.h) return an rvalue reference as an lvalue reference, which
# C++23's implicit move (P2266, in clang 16, not in GCC 12) rejects: the RTP unit is read as
# C++20, which it is written in.
tidy_unit() {
    local std=c++2b
    case $1 in */telephony/rtp/*) std=c++20 ;; esac
    "$tidy" -p "$build" --quiet --config-file=.clang-tidy --extra-arg=-std=$std \
        --extra-arg=-Wno-unknown-warning-option --extra-arg=-U__cpp_concepts \
        --extra-arg=-D__cpp_concepts=202002L "$1"
}
export -f tidy_unit
export tidy build
printf '%s\n' "${units[@]}" | xargs -P "$jobs" -n 1 bash -c 'tidy_unit "$0"' >"$out" 2>&1 || status=$?
# A header's finding is reported once for each unit that includes it: print each once.
grep -E '(warning|error): ' "$out" | sort -u || true
if [ "$status" -ne 0 ]; then
    echo "tidy: findings above (or clang-tidy failed: $(grep -c -E 'error: ' "$out") errors)" >&2
    exit 1
fi
echo "tidy: no findings"
