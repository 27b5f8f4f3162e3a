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
"$@"
