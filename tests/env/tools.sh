#!/usr/bin/env bash
# Project tools: the UI's npm packages (exactly as locked) and, with --e2e, tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

# npm ci only when the lock file changed since the last install.
if ! cmp -s ui/package-lock.json ui/node_modules/.package-lock.json; then
  npm ci --prefix ui --no-audit --no-fund
fi

if [ "${1:-}" = "--e2e" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version 2.1.0
fi
