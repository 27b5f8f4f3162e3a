#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs every test — formatting and
# lints, Rust tests of core and shell against a real engine, UI unit tests, and the desktop
# end-to-end suite. Fails on the first red step.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "machine: packages, tools, Docker engine, SSH-reachable second engine, registry"
tests/env/install.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
tests/env/tools.sh --e2e
tests/env/engine.sh
tests/env/sshhost.sh
tests/env/registry.sh

step "format, lints, types"
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
npm --prefix ui run check
if cargo tree --locked -p berth-core -e normal | grep -q ' tauri'; then
  echo "berth-core must not depend on tauri" >&2
  exit 1
fi

step "Rust tests: core and shell against the real engines; bindings up to date"
# In a session with a Secret Service, for the remembered-passphrase tests.
tests/env/keyring-session.sh cargo test --locked

step "UI unit tests"
npm --prefix ui test

step "desktop end-to-end"
tests/e2e/run.sh

step "nothing left behind"
left=""
for engine in "" "-H unix:///run/berth-remote/docker.sock"; do
  # shellcheck disable=SC2086 # the engine option is two words or none
  left="$left $(docker $engine ps -aq --filter label=berth.test) $(docker $engine volume ls -q --filter label=berth.test)"
  # shellcheck disable=SC2086
  left="$left $(docker $engine network ls -q --filter label=berth.test)"
done
if [ -n "${left// /}" ]; then
  echo "tests left containers, volumes or networks behind: $left" >&2
  exit 1
fi
echo "all tests passed"
