#!/usr/bin/env bash
# The benchmark: a release build of the core measured against peers in the same run (raw
# socket HTTP, docker ps, docker logs, docker stats) on the local engine, and the same engine over SSH;
# alerts as far as the desktop's notification service; the whole app's start and idle memory; a
# two-node swarm's service list and a failed update's alert (against docker service ls, docker events).
# Prints figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/env/install.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
# shellcheck source=tests/env/node.sh
. tests/env/node.sh
tests/env/engine.sh
tests/env/sshhost.sh
# The swarm section: the registry both nodes pull from, and the swarm (the SSH test host's engine
# its worker). Both idempotent.
tests/env/registry.sh
tests/env/swarm.sh >/dev/null
cargo build --locked --release -q -p berth-bench -p berthctl
# The stats section's target peer: oxker, a Rust TUI on the same client library.
command -v oxker >/dev/null 2>&1 || cargo install oxker --locked --version 0.13.4
if [ $# -eq 0 ] || [[ " $* " == *" app "* ]]; then
  # The app section starts the release app through WebDriver and weighs it against an empty
  # Tauri window built the same way.
  tests/env/tools.sh --e2e
  ui/node_modules/.bin/tauri build --no-bundle >/dev/null
  (cd bench/empty-window && ../../ui/node_modules/.bin/tauri build --no-bundle >/dev/null)
fi
# The alerts section shows real desktop notifications: a private X display and session bus,
# where it runs a notification daemon.
xvfb-run -a dbus-run-session -- target/release/berth-bench "$@" 2> >(grep -v "fd limit" >&2)
