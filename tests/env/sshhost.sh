#!/usr/bin/env bash
# A second Docker host reachable only over SSH, for the remote-host tests: a network namespace
# (10.200.0.2, reached from here through a veth pair at 10.200.0.1) running its own dockerd and
# sshd. Keys are made here, at setup: plain and passphrase-protected ed25519, RSA and ECDSA.
# What the tests need to know is written to $state/env (see berth-testkit's RemoteHost).
# Idempotent; `sshhost.sh stop` takes it all down.
set -euo pipefail

NS=berth-remote
HOST_SIDE=berth-veth0
NS_SIDE=berth-veth1
NS_ADDRESS=10.200.0.2
state="${BERTH_ENV_DIR:-/tmp/berth-env}/sshhost"
run="/run/$NS"
socket="$run/docker.sock"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
in_ns() { $sudo ip netns exec "$NS" "$@"; }
# shellcheck source=tests/env/pidfile.sh
. "$(dirname "$0")/pidfile.sh"

if [ "${1:-}" = stop ]; then
  pidfile_stop "$run/sshd.pid" "-f $state/sshd_config "
  pidfile_stop "$run/sshd-nofwd.pid" "-f $state/sshd_config_nofwd "
  pidfile_stop "$run/docker.pid" "--pidfile $run/docker.pid"
  $sudo ip netns del "$NS" 2>/dev/null || true
  $sudo ip link del "$HOST_SIDE" 2>/dev/null || true
  exit 0
fi

mkdir -p "$state" && $sudo mkdir -p "$run"

# The network: only addresses inside our own namespace.
if ! $sudo ip netns list | grep -qw "$NS"; then
  $sudo ip netns add "$NS"
  $sudo ip link add "$HOST_SIDE" type veth peer name "$NS_SIDE"
  $sudo ip link set "$NS_SIDE" netns "$NS"
  $sudo ip addr add 10.200.0.1/24 dev "$HOST_SIDE"
  $sudo ip link set "$HOST_SIDE" up
  in_ns ip addr add "$NS_ADDRESS/24" dev "$NS_SIDE"
  in_ns ip link set "$NS_SIDE" up
  in_ns ip link set lo up
fi
# A test may have taken the link down to cut the host off.
$sudo ip link set "$HOST_SIDE" up

# Certificates for the remote engine's TLS listener (dockerd --tlsverify, as `docker-machine`
# and Docker's "protect the daemon socket" guide set it up): a CA, the engine's certificate for
# its address, and a client's. Made once per machine.
tls="$state/tls"
if [ ! -f "$tls/client/key.pem" ]; then
  rm -rf "$tls" && mkdir -p "$tls/client" && chmod 700 "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=berth-test-ca \
    -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$NS_ADDRESS" \
    -keyout "$tls/server-key.pem" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$NS_ADDRESS" >"$tls/server.ext"
  openssl x509 -req -days 3650 -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
    -CAcreateserial -extfile "$tls/server.ext" -out "$tls/server-cert.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=berth-test-client \
    -keyout "$tls/client/key.pem" -out "$tls/client.csr" 2>/dev/null
  echo extendedKeyUsage=clientAuth >"$tls/client.ext"
  openssl x509 -req -days 3650 -in "$tls/client.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
    -CAcreateserial -extfile "$tls/client.ext" -out "$tls/client/cert.pem" 2>/dev/null
  cp "$tls/ca.pem" "$tls/client/ca.pem"
fi
TLS_PORT=2376

# The remote engine: no bridge or iptables of its own, so it leaves the machine's alone. Its
# TCP listener takes only clients with a certificate from the test CA. A host name of its own
# (its UTS namespace), as another machine has: a swarm tells its nodes apart by it.
REMOTE_HOSTNAME=berth-remote
if ! docker -H "unix://$socket" info >/dev/null 2>&1; then
  $sudo env -i PATH="$PATH" setsid nsenter --net="/run/netns/$NS" \
    unshare --uts sh -c 'hostname "$0" && exec "$@"' "$REMOTE_HOSTNAME" dockerd \
    --data-root "$state/docker" --exec-root "$run/exec" --pidfile "$run/docker.pid" \
    -H "unix://$socket" -H "tcp://$NS_ADDRESS:$TLS_PORT" --tlsverify --tlscacert "$tls/ca.pem" \
    --tlscert "$tls/server-cert.pem" --tlskey "$tls/server-key.pem" --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
    --cgroup-parent="/$NS" >>"$state/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 150); do
    docker -H "unix://$socket" info >/dev/null 2>&1 && break
    sleep 0.2
  done
  docker -H "unix://$socket" info >/dev/null 2>&1 || { tail -20 "$state/dockerd.log"; exit 1; }
fi
for image in berth-test/busybox:latest; do
  docker -H "unix://$socket" image inspect "$image" >/dev/null 2>&1 ||
    docker save "$image" | docker -H "unix://$socket" load >/dev/null
done

# Keys, made once per machine: the host's, and the users' (one protected by a passphrase).
keys="$state/keys"
if [ ! -f "$keys/ecdsa" ]; then
  rm -rf "$keys" && mkdir -p "$keys" && chmod 700 "$keys"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$keys/passphrase"
  ssh-keygen -q -t ed25519 -N '' -C berth-host -f "$keys/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C berth-test -f "$keys/ed25519"
  ssh-keygen -q -t ed25519 -N "$(cat "$keys/passphrase")" -C berth-test -f "$keys/ed25519_protected"
  ssh-keygen -q -t rsa -b 3072 -N '' -C berth-test -f "$keys/rsa"
  ssh-keygen -q -t ecdsa -b 256 -N '' -C berth-test -f "$keys/ecdsa"
  cat "$keys"/ed25519.pub "$keys"/ed25519_protected.pub "$keys"/rsa.pub "$keys"/ecdsa.pub \
    >"$keys/authorized_keys"
  echo "$NS_ADDRESS $(cut -d' ' -f1,2 "$keys/host_ed25519.pub")" >"$keys/known_hosts"
fi
# A second host key of another type, as most hosts have: the host-key tests check that Berth
# asks for the type on record first, and refuses a key of another type than the one on record.
[ -f "$keys/host_ecdsa" ] || ssh-keygen -q -t ecdsa -b 256 -N '' -C berth-host -f "$keys/host_ecdsa"

cat >"$state/sshd_config" <<EOF
ListenAddress $NS_ADDRESS:22
# Reachable only from inside the namespace: the jump-host test hops through $NS_ADDRESS to it.
ListenAddress 127.0.0.1:22
HostKey $keys/host_ed25519
HostKey $keys/host_ecdsa
PidFile $run/sshd.pid
AuthorizedKeysFile $keys/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowStreamLocalForwarding yes
MaxSessions 100
MaxStartups 100
# Logs each refused key with its fingerprint: the tests count Berth's login attempts by it.
LogLevel VERBOSE
EOF

# A second sshd, on port 2222, refuses stream-local forwarding (as some hardened hosts do):
# Berth must fall back to `docker system dial-stdio` there.
sed -e "s|^ListenAddress .*||" -e "s|^PidFile .*|PidFile $run/sshd-nofwd.pid|" \
  -e "s|^AllowStreamLocalForwarding yes|AllowStreamLocalForwarding no|" "$state/sshd_config" \
  >"$state/sshd_config_nofwd"
echo "ListenAddress $NS_ADDRESS:2222" >>"$state/sshd_config_nofwd"

start_sshd() { # config, pid file, log
  if ! pidfile_runs "$2" "-f $1 "; then
    $sudo rm -f "$2"
    $sudo mkdir -p /run/sshd
    in_ns /usr/sbin/sshd -f "$1" -E "$3"
    for _ in $(seq 1 50); do [ -f "$2" ] && break; sleep 0.1; done
  fi
}
start_sshd "$state/sshd_config" "$run/sshd.pid" "$state/sshd.log"
start_sshd "$state/sshd_config_nofwd" "$run/sshd-nofwd.pid" "$state/sshd-nofwd.log"

# For the refusal tests: a user who may log in but not use the Docker socket (not in the docker
# group; '*' rather than a locked password, which sshd without PAM refuses), and a port whose
# packets are dropped, as a firewall that does not answer does.
NO_DOCKER_USER=berth-nodocker
if ! id "$NO_DOCKER_USER" >/dev/null 2>&1; then
  $sudo useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh "$NO_DOCKER_USER"
  $sudo usermod -p '*' "$NO_DOCKER_USER"
fi
# sshd reads authorized_keys as the user logging in: the keys folder may be passed through (its
# private keys stay readable by root only).
chmod 711 "$keys"
DROP_PORT=2224
in_ns iptables -C INPUT -p tcp --dport "$DROP_PORT" -j DROP 2>/dev/null ||
  in_ns iptables -A INPUT -p tcp --dport "$DROP_PORT" -j DROP

cat >"$state/env" <<EOF
BERTH_TLS_DOCKER_HOST=tcp://$NS_ADDRESS:$TLS_PORT
BERTH_TLS_CERTS=$tls/client
BERTH_SSH_ADDRESS=$NS_ADDRESS
BERTH_SSH_USER=root
BERTH_SSH_KEYS=$keys
BERTH_SSH_DOCKER_HOST=unix://$socket
BERTH_SSH_SSHD_CONFIG=$state/sshd_config
BERTH_SSH_SSHD_PID=$run/sshd.pid
BERTH_SSH_NAMESPACE=$NS
BERTH_SSH_LINK=$HOST_SIDE
BERTH_SSH_NO_FORWARDING_PORT=2222
BERTH_SSH_NO_DOCKER_USER=$NO_DOCKER_USER
BERTH_SSH_DROP_PORT=$DROP_PORT
EOF
