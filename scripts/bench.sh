#!/usr/bin/env bash
# The benchmark: a release build of the core measured against peers in the same run (raw
# socket HTTP, docker logs, docker stats) on the local engine, and the same engine over SSH.
# Prints figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/env/install.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
tests/env/engine.sh
tests/env/sshhost.sh
cargo run --locked --release -q -p berth-bench -- "$@"
