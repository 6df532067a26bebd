#!/usr/bin/env bash
# Everything a fresh checkout needs before it can run the stack or the tests: node modules, the Temporal
# CLI (built with Go, cached per user), moto, schemathesis and parliament in virtualenvs (cached per user); with --with-cluster also the
# Temporal server, its SQL schema tool and the UI server (built with Go, cached per user). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
tool_flags=()
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1; tool_flags+=(--quiet) ;;
    --with-browser) tool_flags+=(--with-browser) ;;
    --with-cluster) tool_flags+=(--with-cluster) ;;
  esac
done
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install: it wipes node_modules and takes a minute.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  say "installing node modules (npm install from package-lock.json)..."
  # Not `npm ci`: it refuses a lock whose optional per-platform binaries (swc, unrs) the registry here does not
  # serve for every platform. `npm install --no-save` still installs exactly the locked versions.
  npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
else
  say "node modules up to date"
fi

exec node_modules/.bin/tsx devstack/tools-cli.ts "${tool_flags[@]}"
