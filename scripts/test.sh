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
# shellcheck source=tests/env/node.sh
. tests/env/node.sh

# A private HOME for everything below: a user's ~/.ssh (known_hosts, config), ~/.docker (config,
# contexts) and Berth's settings neither change what the tests see nor get touched by them.
# Rust's and npm's own folders stay the real ones (and npm's settings, which may name the
# registry), so nothing is fetched again.
real_home=$HOME
export CARGO_HOME="${CARGO_HOME:-$real_home/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$real_home/.rustup}"
export npm_config_cache="${npm_config_cache:-$(npm config get cache)}"
[ -f "$real_home/.npmrc" ] && export npm_config_userconfig="${npm_config_userconfig:-$real_home/.npmrc}"
test_home=$(mktemp -d -t berth-home.XXXXXX)
trap 'rm -rf "$test_home"' EXIT
export HOME="$test_home" XDG_CONFIG_HOME="$test_home/.config" XDG_DATA_HOME="$test_home/.local/share" \
  XDG_CACHE_HOME="$test_home/.cache"
unset DOCKER_CONFIG DOCKER_CONTEXT
echo "HOME for the tests: $HOME"

tests/env/tools.sh --e2e
tests/env/engine.sh
tests/env/sshhost.sh
tests/env/registry.sh
tests/env/swarm.sh

step "format, lints, types"
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
npm --prefix ui run check
# Berth installs on Windows too: the core and the shell must build there, with everything
# Unix-only behind cfg (macOS needs Apple's SDK, which no Linux machine has).
RUSTFLAGS="-D warnings" cargo check --locked --target x86_64-pc-windows-gnu -p berth-core -p berth -p berthctl
if cargo tree --locked -p berth-core -e normal | grep -q ' tauri'; then
  echo "berth-core must not depend on tauri" >&2
  exit 1
fi
# berthctl is a front end of its own on the core: not even its tests pull in the window's crates.
if cargo tree --locked -p berthctl | grep -q ' tauri'; then
  echo "berthctl must not depend on tauri" >&2
  exit 1
fi

step "Rust tests: core, shell and berthctl against the real engines; bindings up to date"
# In a session with a Secret Service, for the remembered-passphrase tests.
tests/env/keyring-session.sh cargo test --locked

step "UI unit tests"
npm --prefix ui test

step "desktop end-to-end"
tests/e2e/run.sh

step "packages: the .deb and .rpm (of the debug build; tests/package.sh --release for the release ones), checked; the .deb installed with apt, its app listing containers"
tests/package.sh

step "reliability suite (short: the full one is scripts/reliability.sh) and cargo deny"
scripts/reliability.sh --short

step "nothing left behind"
left=""
for engine in "" "-H unix:///run/berth-remote/docker.sock"; do
  # shellcheck disable=SC2086 # the engine option is two words or none
  left="$left $(docker $engine ps -aq --filter label=berth.test) $(docker $engine volume ls -q --filter label=berth.test)"
  # shellcheck disable=SC2086
  left="$left $(docker $engine network ls -q --filter label=berth.test)"
  # Swarm services (on the manager; the worker answers that it is none).
  # shellcheck disable=SC2086
  left="$left $(docker $engine service ls -q --filter label=berth.test 2>/dev/null || true)"
  # shellcheck disable=SC2086
  left="$left $(docker $engine secret ls -q --filter label=berth.test 2>/dev/null || true)"
  # shellcheck disable=SC2086
  left="$left $(docker $engine config ls -q --filter label=berth.test 2>/dev/null || true)"
  # Images: those a test committed or built (they carry its label) and the tags tests make
  # (berth-test/tagged:…); the images tests/env makes are meant to stay.
  # shellcheck disable=SC2086
  left="$left $(docker $engine images -q --filter label=berth.test)"
  # shellcheck disable=SC2086
  left="$left $(docker $engine images --format '{{.Repository}}:{{.Tag}}' | grep '^berth-test/tagged:' || true)"
done
if [ -n "${left// /}" ]; then
  echo "tests left containers, volumes, networks or images behind: $left" >&2
  exit 1
fi
echo "all tests passed"
