#!/usr/bin/env bash
# Installs every Debian package Parley needs to build, run, test and benchmark.
# Idempotent and quiet: packages already present are not fetched again.
#
# libphonenumber-dev cannot be installed beside libboost1.81-dev (it depends on the
# default Boost 1.74 -dev packages), so its headers and the .so link are unpacked from the
# Debian package into .deps/ in the source tree; the runtime library comes from libphonenumber8.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake pkg-config git ca-certificates
    libboost1.81-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libssl-dev
    libphonenumber8 libgeocoding8 libprotobuf-dev libabsl-dev libicu-dev
    libspdlog-dev libfmt-dev libcli11-dev libhowardhinnant-date-dev libcurl4-openssl-dev tzdata
    libgtest-dev libgmock-dev
    libespeak-ng-dev flite1-dev libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
    libspeexdsp-dev libsndfile1-dev
    libsofia-sip-ua-dev libortp-dev libspandsp-dev libsrtp2-dev baresip-core kamailio openssl
    postgresql wrk nginx-light afl++ clang-format clang-tidy-16
    chromium libcairo2-dev fonts-dejavu-core poppler-utils
)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
updated=0
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    updated=1
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f .deps/usr/include/phonenumbers/phonenumberutil.h ]; then
    [ "$updated" -eq 1 ] || "${sudo_cmd[@]}" apt-get update -qq
    tmp=$(mktemp -d)
    chmod 777 "$tmp"
    (cd "$tmp" && apt-get download -qq libphonenumber-dev >/dev/null 2>&1)
    mkdir -p .deps
    dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb .deps
    rm -rf "$tmp"
fi

# Node modules for the webhook receivers the integration tests start (tests/webhooks/).
# npm writes node_modules/.package-lock.json on every install, so it is newer than the
# lock file unless the lock file changed since.
if [ ! -f tests/webhooks/node_modules/.package-lock.json ] ||
   [ tests/webhooks/package-lock.json -nt tests/webhooks/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/webhooks --no-audit --no-fund --loglevel=error
fi
# The official MCP SDK's client the MCP tests run, and playwright-core, which drives Chromium
# through the OAuth sign-in page (tests/mcp/).
if [ ! -f tests/mcp/node_modules/.package-lock.json ] ||
   [ tests/mcp/package-lock.json -nt tests/mcp/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/mcp --no-audit --no-fund --loglevel=error
fi
# The loopback engines of the fixed-delay voice benchmark (bench/fixed_delay_engines/).
if [ ! -f bench/fixed_delay_engines/node_modules/.package-lock.json ] ||
   [ bench/fixed_delay_engines/package-lock.json -nt bench/fixed_delay_engines/node_modules/.package-lock.json ]; then
    npm ci --prefix bench/fixed_delay_engines --no-audit --no-fund --loglevel=error
fi
