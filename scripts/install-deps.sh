#!/usr/bin/env bash
# Installs the Debian 12 packages patchbay needs, and only those that are missing,
# so running it twice costs nothing. Never pulls libboost-dev (1.74): it conflicts
# with the 1.81 packages we build against.
#   bash scripts/install-deps.sh          # build and test (CI)
#   bash scripts/install-deps.sh --fuzz   # also clang and its libFuzzer runtime
#                                         # (scripts/fuzz.sh; not needed by CI)
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgmime-3.0-dev libcurl4-openssl-dev libxml2-dev libre2-dev libsqlite3-dev libpq-dev libssl-dev libkainjow-mustache-dev
  zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  zstd wrk curl git git-pw python3 python3-jsonschema python3-yaml sqlite3
  postgresql python3-psycopg2
  libmariadb-dev mariadb-server
  chromium chromium-driver python3-selenium python3-aiosmtpd
)
if [ "${1:-}" = --fuzz ]; then PACKAGES+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
