#!/usr/bin/env bash
# The README's launch command: installs what is missing, makes sure the local Docker engine
# runs, builds Berth and opens its window on the local engine.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/env/install.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
# shellcheck source=tests/env/node.sh
. tests/env/node.sh
tests/env/tools.sh
tests/env/engine.sh

ui/node_modules/.bin/tauri build --debug --no-bundle
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "Built target/debug/berth, but there is no desktop session (DISPLAY) to open it in." >&2
  exit 1
fi
exec target/debug/berth
