#!/usr/bin/env bash
# Installs what is missing, builds Parley and runs it on 127.0.0.1:8080 with SQLite in ./data.
# Extra arguments go to `parley serve` (e.g. --listen 0.0.0.0:8080, --db postgres://…).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${JOBS:-2}" --target parley
exec build/parley serve --listen "${PARLEY_LISTEN:-127.0.0.1:8080}" --data "${PARLEY_DATA:-./data}" "$@"
