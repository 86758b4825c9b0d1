#!/usr/bin/env bash
# The house format: every C++ file as clang-format writes it (.clang-format), and no line of
# them over 120 columns. Prints each finding and fails on any; `clang-format -i FILE` fixes the
# first kind.
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
    mapfile -t files < <(find src tests bench -name '*.cpp' -o -name '*.hpp' | sort)
fi
failed=0
clang-format --dry-run --Werror "${files[@]}" || failed=1
awk 'length > 120 { printf "%s:%d: %d columns (at most 120)\n", FILENAME, FNR, length; bad = 1 } END { exit bad }' \
    "${files[@]}" || failed=1
[ "$failed" -eq 0 ] && echo "style: ${#files[@]} files formatted, no line over 120 columns"
exit $failed
