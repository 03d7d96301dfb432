#!/usr/bin/env bash
# Builds the production Temporal server and its SQL schema tool from the Go module proxy into
# .tools/bin, as temporal-server and temporal-sql-tool; does nothing when both are there at
# TEMPORAL_SERVER_VERSION. Only the cluster test needs them (`npm run test:cluster`, which calls
# this through `scripts/install.sh --temporal-server`; the test calls it too when they are
# missing), so `npm run setup` does not build them.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version docker-compose.temporal.yml runs (test/deploy/compose-file.test.ts checks they agree).
# Its go.mod wants Go 1.25 and has no replace directive, so `go install pkg@version` builds it.
TEMPORAL_SERVER_VERSION=v1.29.1
TOOLS_BIN="$PWD/.tools/bin"
SERVER="$TOOLS_BIN/temporal-server"
SQL_TOOL="$TOOLS_BIN/temporal-sql-tool"

say() { printf 'build-temporal-server: %s\n' "$*" >&2; }

built_version() {
  # `temporal-server --version` prints "temporal version 1.29.1".
  "$1" --version 2>/dev/null | awk '{ print "v" $NF }'
}

if [ -x "$SERVER" ] && [ -x "$SQL_TOOL" ] \
  && [ "$(built_version "$SERVER")" = "$TEMPORAL_SERVER_VERSION" ] \
  && [ "$(built_version "$SQL_TOOL")" = "$TEMPORAL_SERVER_VERSION" ]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  say "no go toolchain (Go >= 1.25 needed): install it, or put temporal-server and temporal-sql-tool $TEMPORAL_SERVER_VERSION in $TOOLS_BIN"
  exit 1
fi

mkdir -p "$TOOLS_BIN"
# go install names the binaries after their package directories (server, sql): build them aside,
# then move them in under names that say what they are.
staging=$(mktemp -d "$TOOLS_BIN/.temporal-server-build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
say "building Temporal server $TEMPORAL_SERVER_VERSION and its SQL tool with go install (several minutes, once)"
started=$(date +%s)
GOBIN="$staging" go install \
  "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
mv -f "$staging/server" "$SERVER"
mv -f "$staging/sql" "$SQL_TOOL"
say "built $SERVER and $SQL_TOOL in $(( $(date +%s) - started )) s"
