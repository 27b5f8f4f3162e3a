#!/usr/bin/env bash
# Runs a command as on a desktop session: its own D-Bus session bus with an unlocked GNOME
# keyring (the Secret Service), whose files go to a throwaway folder. The remembered-passphrase
# tests and the app under test use it.
set -euo pipefail
if [ -z "${BERTH_KEYRING_SESSION:-}" ]; then
  exec env BERTH_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
fi
keyrings=$(mktemp -d)
trap 'rm -rf "$keyrings"' EXIT
echo -n berth-test | XDG_DATA_HOME=$keyrings gnome-keyring-daemon --unlock --components=secrets >/dev/null
# The daemon forks before it owns its bus name; a call made before that would have D-Bus start
# a second, locked daemon from its service file.
for _ in $(seq 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q "boolean true" && break
  sleep 0.1
done
"$@"
