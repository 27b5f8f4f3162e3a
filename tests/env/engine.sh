#!/usr/bin/env bash
# Makes sure a real Docker engine answers on the default socket and that the offline test
# image exists. Starts dockerd only when nothing answers, so a developer's own engine is reused.
set -euo pipefail

TEST_IMAGE="${BERTH_TEST_IMAGE:-berth-test/busybox:latest}"
state_dir="${BERTH_ENV_DIR:-/tmp/berth-env}"
mkdir -p "$state_dir"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! docker info >/dev/null 2>&1; then
  if docker info 2>&1 | grep -qi "permission denied"; then
    echo "The Docker engine runs, but $USER may not use its socket. Run" >&2
    echo "  sudo usermod -aG docker $USER" >&2
    echo "then log in again." >&2
    exit 1
  fi
  # On a desktop with systemd the engine is a service; start it the usual way.
  if [ -d /run/systemd/system ] && systemctl cat docker.service >/dev/null 2>&1; then
    $sudo systemctl start docker
  fi
fi

if ! docker info >/dev/null 2>&1; then
  # A dockerd that is still shutting down holds its pid file and would make a new one fail.
  # (By its pid file: the SSH test host runs a dockerd of its own.)
  for _ in $(seq 1 150); do
    { [ -f /var/run/docker.pid ] && [ -d "/proc/$(cat /var/run/docker.pid)" ]; } || break
    sleep 0.2
  done
  echo "starting dockerd (log: $state_dir/dockerd.log)"
  # A clean environment: a daemon started from inside a test's private session must not
  # inherit its XDG_RUNTIME_DIR (runc keeps exec state there, and the session dir goes away).
  $sudo env -i PATH="$PATH" setsid dockerd >>"$state_dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 150); do
    docker info >/dev/null 2>&1 && break
    sleep 0.2
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not come up:"; tail -20 "$state_dir/dockerd.log"; exit 1; }
fi

# No registry is reachable from these machines, so the test image is made from busybox-static.
if ! docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$TEST_IMAGE" >/dev/null
  echo "built $TEST_IMAGE"
fi

# The same busybox with no applet links: a container with no shell at all (run it as
# `busybox sleep …`), for the terminal's "no shell" case.
NO_SHELL_IMAGE="${BERTH_NO_SHELL_IMAGE:-berth-test/noshell:latest}"
if ! docker image inspect "$NO_SHELL_IMAGE" >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin"
  cp /bin/busybox "$rootfs/bin/busybox"
  tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/bin' - "$NO_SHELL_IMAGE" >/dev/null
  echo "built $NO_SHELL_IMAGE"
fi
