#!/usr/bin/env bash
# Project tools: the UI's npm packages (exactly as locked) and, with --e2e, tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
# shellcheck source=tests/env/node.sh
. tests/env/node.sh

# Install the locked versions, only when the lock file changed since the last install.
# (Not `npm ci`: registry mirrors without the CLI's macOS/Windows packages leave them out of
# the lock, and `npm ci` then refuses it; `npm install --no-save` still installs what is locked.)
stamp=ui/node_modules/.berth-lock.sha256
if [ "$(sha256sum ui/package-lock.json | cut -d' ' -f1)" != "$(cat "$stamp" 2>/dev/null)" ]; then
  npm install --prefix ui --no-save --no-audit --no-fund
  sha256sum ui/package-lock.json | cut -d' ' -f1 >"$stamp"
fi

if [ "${1:-}" = "--e2e" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version 2.1.0
fi

# The standard library for Windows, for the check that nothing Unix-only is left ungated.
if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu
fi
