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
  openssh-server iproute2
  # the local registry of the pull tests, and its relay into the SSH host's namespace
  docker-registry socat
  # remembered passphrases: the Secret Service client's build dependency, and a keyring for tests
  libdbus-1-dev gnome-keyring
  # a notification daemon on the test session's bus, to see (and click) the alerts Berth shows;
  # a system tray and a mouse to click Berth's tray icon with
  dunst trayer xdotool
  # process helpers used by the scripts; a terminal for the benchmark's TUI peer (oxker)
  procps curl ca-certificates tmux
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

# Vite 8 needs Node 20.19 or newer; older distributions ship an older one.
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19))')
if [ "$node_ok" != true ]; then
  echo "Node.js $(node --version) is too old: Berth's UI build needs 20.19 or newer (https://nodejs.org)." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "installing the Rust toolchain (rustup)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    --component clippy,rustfmt
fi
