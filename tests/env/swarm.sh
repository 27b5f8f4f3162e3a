#!/usr/bin/env bash
# A real two-node Docker Swarm for the Swarm tests: the local engine as the manager (advertised
# on 10.200.0.1, the host side of the SSH test host's veth pair) and the SSH test host's engine
# (in its network namespace) joined as a worker, with an attachable overlay network the tests
# may use. Needs tests/env/engine.sh and sshhost.sh first. Idempotent: an engine already in the
# swarm is left as it is. `swarm.sh stop` makes both engines leave (the worker first).
set -euo pipefail

MANAGER_ADDRESS=10.200.0.1
WORKER="unix:///run/berth-remote/docker.sock"
OVERLAY=berth-test-overlay

state_of() { docker ${1:+-H "$1"} info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unreachable; }

if [ "${1:-}" = stop ]; then
  [ "$(state_of "$WORKER")" = active ] && docker -H "$WORKER" swarm leave --force >/dev/null
  [ "$(state_of "")" = active ] && docker swarm leave --force >/dev/null
  # The bridge swarm made for its tasks' outside traffic goes with it.
  docker network rm docker_gwbridge >/dev/null 2>&1 || true
  exit 0
fi

[ "$(state_of "$WORKER")" != unreachable ] || { echo "swarm: the SSH test host's engine does not answer: run tests/env/sshhost.sh" >&2; exit 1; }

if [ "$(state_of "")" != active ]; then
  docker swarm init --advertise-addr "$MANAGER_ADDRESS" >/dev/null
fi
if [ "$(state_of "$WORKER")" != active ]; then
  token=$(docker swarm join-token -q worker)
  docker -H "$WORKER" swarm join --token "$token" "$MANAGER_ADDRESS:2377" >/dev/null
fi
# Both nodes ready before any test places a task.
for _ in $(seq 1 150); do
  ready=$(docker node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
  [ "$ready" -ge 2 ] && break
  sleep 0.2
done
[ "$ready" -ge 2 ] || { docker node ls >&2; echo "swarm: the worker did not become ready" >&2; exit 1; }
docker network inspect "$OVERLAY" >/dev/null 2>&1 ||
  docker network create --driver overlay --attachable "$OVERLAY" >/dev/null
docker node ls
