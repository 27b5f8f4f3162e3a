#!/usr/bin/env bash
# Builds the app with its UI embedded and drives it under Xvfb through tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/env/node.sh
. tests/env/node.sh

# The tests of an installed package (tests/package.sh) drive that one: no build of the checkout.
if [ -z "${BERTH_INSTALLED_APP:-}" ]; then
  ui/node_modules/.bin/tauri build --debug --no-bundle
fi

# A private desktop session (its own bus and keyring): settings and caches of the app under test go to a temp dir.
session=$(mktemp -d)
trap 'rm -rf "$session"' EXIT
export XDG_DATA_HOME="$session/data" XDG_CONFIG_HOME="$session/config" XDG_CACHE_HOME="$session/cache"
export XDG_RUNTIME_DIR="$session/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export BERTH_APP="$PWD/target/debug/berth" BERTH_E2E_OUT="$PWD/tests/out/e2e"

xvfb-run -a -s '-screen 0 1280x800x24' tests/env/keyring-session.sh \
  cargo test --locked -p berth-e2e -- --test-threads=1 --nocapture "$@"
echo "screenshots: $BERTH_E2E_OUT"
