#!/usr/bin/env bash
# A local registry for the pull tests: Debian's docker-registry on 127.0.0.1:5000 with a config
# of its own (filesystem storage under $state, no auth, loopback only), holding a two-layer test
# image whose second layer is 32 MiB, so a pull shows progress, and the small test image. When the SSH test host runs,
# the registry is relayed into its namespace: its engine pulls the same 127.0.0.1:5000
# references (dockerd trusts 127.0.0.0/8 without TLS). Idempotent; `registry.sh stop` ends it.
set -euo pipefail

ADDRESS=127.0.0.1:5000
IMAGE=$ADDRESS/berth-test/layered:latest
NS=berth-remote
RELAY_ADDRESS=10.200.0.1 # the host side of the SSH test host's veth pair
state="${BERTH_ENV_DIR:-/tmp/berth-env}/registry"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# shellcheck source=tests/env/pidfile.sh
. "$(dirname "$0")/pidfile.sh"
# What each pid file's process was started with.
REGISTRY_RUNS="docker-registry serve $state/config.yml"
RELAY_HOST_RUNS="TCP-LISTEN:5000,bind=$RELAY_ADDRESS"
RELAY_NAMESPACE_RUNS="TCP:$RELAY_ADDRESS:5000"

if [ "${1:-}" = stop ]; then
  pidfile_stop "$state/registry.pid" "$REGISTRY_RUNS"
  pidfile_stop "$state/relay-host.pid" "$RELAY_HOST_RUNS"
  pidfile_stop "$state/relay-namespace.pid" "$RELAY_NAMESPACE_RUNS"
  exit 0
fi
mkdir -p "$state"

if ! curl -sf "http://$ADDRESS/v2/" >/dev/null; then
  cat >"$state/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $state/data}
  delete: {enabled: true}
http: {addr: $ADDRESS}
YAML
  setsid docker-registry serve "$state/config.yml" >>"$state/registry.log" 2>&1 </dev/null &
  echo $! >"$state/registry.pid"
  for _ in $(seq 1 100); do curl -sf "http://$ADDRESS/v2/" >/dev/null && break; sleep 0.1; done
  curl -sf "http://$ADDRESS/v2/" >/dev/null || { tail -20 "$state/registry.log"; exit 1; }
fi

# The test image, pushed once; then removed here, so that pulling it is a real pull.
if ! curl -sf "http://$ADDRESS/v2/berth-test/layered/tags/list" | grep -q latest; then
  build=$(mktemp -d)
  printf 'FROM berth-test/busybox:latest\nRUN dd if=/dev/urandom of=/blob bs=1M count=32 2>/dev/null\n' \
    >"$build/Dockerfile"
  # (The legacy builder: it needs no BuildKit, and says so on stderr.)
  DOCKER_BUILDKIT=0 docker build -q --network none -t "$IMAGE" "$build" >/dev/null 2>&1
  rm -rf "$build"
  docker push -q "$IMAGE" >/dev/null
  docker rmi "$IMAGE" >/dev/null
fi

# The small test image too, for tests that pull "the latest" of an image they run.
if ! curl -sf "http://$ADDRESS/v2/berth-test/busybox/tags/list" | grep -q latest; then
  docker tag berth-test/busybox:latest "$ADDRESS/berth-test/busybox:latest"
  docker push -q "$ADDRESS/berth-test/busybox:latest" >/dev/null
fi

# The relay into the SSH test host's namespace: its 127.0.0.1:5000 -> the veth -> ours.
if $sudo ip netns list 2>/dev/null | grep -qw "$NS"; then
  # Relays that outlived the namespace they served (sshhost.sh stop, then start) run but lead
  # nowhere: judged by an answer, not by their processes.
  if ! $sudo ip netns exec "$NS" curl -sf "http://$ADDRESS/v2/" >/dev/null; then
    pidfile_stop "$state/relay-host.pid" "$RELAY_HOST_RUNS"
    pidfile_stop "$state/relay-namespace.pid" "$RELAY_NAMESPACE_RUNS"
  fi
  if ! pidfile_runs "$state/relay-host.pid" "$RELAY_HOST_RUNS"; then
    setsid socat "TCP-LISTEN:5000,bind=$RELAY_ADDRESS,fork,reuseaddr" "TCP:$ADDRESS" </dev/null &
    echo $! >"$state/relay-host.pid"
  fi
  if ! pidfile_runs "$state/relay-namespace.pid" "$RELAY_NAMESPACE_RUNS"; then
    $sudo setsid ip netns exec "$NS" socat "TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr" \
      "TCP:$RELAY_ADDRESS:5000" </dev/null &
    echo $! >"$state/relay-namespace.pid"
  fi
  for _ in $(seq 1 50); do
    $sudo ip netns exec "$NS" curl -sf "http://$ADDRESS/v2/" >/dev/null && break
    sleep 0.1
  done
  $sudo ip netns exec "$NS" curl -sf "http://$ADDRESS/v2/" >/dev/null ||
    { echo "the registry relay into $NS does not answer" >&2; exit 1; }
fi
