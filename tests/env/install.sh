#!/usr/bin/env bash
# Installs, once, every system package Berth needs to build, run and be tested on
# Debian/Ubuntu. Idempotent: only missing packages are fetched, so a warm run costs ~1 s.
set -euo pipefail

packages=(
  # the Docker engine the app and the tests talk to, and the test image's busybox
  docker.io busybox-static
  # Tauri v2 build dependencies (WebKitGTK 4.1 and friends)
  build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libxdo-dev
  # headless desktop end-to-end test: X server, session bus, WebDriver for WebKitGTK, screenshots
  xvfb xauth dbus dbus-x11 at-spi2-core webkit2gtk-driver imagemagick
  # the SSH-reachable second Docker host of the remote-host tests (tests/env/sshhost.sh)
  openssh-server iproute2 iptables openssl
  # the local registry of the pull tests, and its relay into the SSH host's namespace
  docker-registry socat
  # remembered passphrases: the Secret Service client's build dependency, and a keyring for tests
  libdbus-1-dev gnome-keyring
  # a notification daemon on the test session's bus, to see (and click) the alerts Berth shows;
  # a system tray and a mouse to click Berth's tray icon with
  dunst trayer xdotool
  # process helpers used by the scripts (curl: the registry's readiness); a terminal for the benchmark's TUI peer (oxker)
  procps curl ca-certificates tmux
  # the package step of scripts/test.sh (tests/package.sh): rpm reads and verifies the .rpm the
  # Tauri bundler writes (the bundler itself needs no rpm tools); binutils' objdump lists what
  # the program links
  rpm binutils
  # the C cross compiler the Windows check of scripts/test.sh needs for the C in some crates
  # (sqlite, aws-lc) when it checks for x86_64-pc-windows-gnu
  gcc-mingw-w64-x86-64
  # pip, for a newer Node.js from PyPI where the distribution's is too old (tests/env/node.sh)
  python3-pip
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# Vite 8 needs Node 20.19 or newer; older distributions (Debian 12: 18.19) ship an older one,
# and then node.sh installs Node 22 from PyPI into the checkout.
# shellcheck source=tests/env/node.sh
. "$(dirname "$0")/node.sh"

# Rust comes from rustup, which is a download script, not a package registry: say how to get it.
if ! command -v cargo >/dev/null 2>&1 && ! [ -x "$HOME/.cargo/bin/cargo" ]; then
  cat >&2 <<'MSG'
cargo is missing: Berth needs a Rust toolchain (1.89 or newer, with rustfmt and clippy).
Install it with rustup (https://rustup.rs):
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --component clippy,rustfmt
then open a new shell (or `. "$HOME/.cargo/env"`) and run this command again.
MSG
  exit 1
fi
