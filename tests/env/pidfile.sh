# Pid files of the test environment's daemons. A pid file says which process to look at, not
# that it is still ours: after a reboot its number may belong to anything (the local dockerd,
# say). A process counts only when its command line holds what started it.
# Sourced; needs $sudo.

# Whether the process named in pid file $1 runs, its command line holding $2.
pidfile_runs() {
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1")
  $sudo kill -0 "$pid" 2>/dev/null || return 1
  $sudo cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ' | grep -qF -- "$2"
}

# Stops the process named in pid file $1 if it is the one $2 says, and waits for it to end;
# the pid file goes either way.
pidfile_stop() {
  if pidfile_runs "$1" "$2"; then
    local pid; pid=$(cat "$1")
    $sudo kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do $sudo kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  $sudo rm -f "$1"
}
