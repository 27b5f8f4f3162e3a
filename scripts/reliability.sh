#!/usr/bin/env bash
# Berth's reliability suite: faults, malformed answers and fuzzing, with what was injected and
# what held printed as counts. `--short` is the version scripts/test.sh runs in CI; sections
# may be named to run alone (fuzz malformed crash flap soak outage load deny). Expects the machine as
# scripts/test.sh leaves it (tests/env: the engine with the berth-test image). Fails when
# anything did not hold.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"

short=""
sections=()
for arg in "$@"; do
  case "$arg" in
    --short) short=--short ;;
    *) sections+=("$arg") ;;
  esac
done
want() { [ ${#sections[@]} -eq 0 ] || printf '%s\n' "${sections[@]}" | grep -qx "$1"; }

if want fuzz; then
  cases=100000
  [ -n "$short" ] && cases=5000
  printf '\n== fuzzing every parser and validator: %s inputs each (proptest)\n' "$cases"
  BERTH_FUZZ_CASES=$cases cargo test --locked -p berth-core --test fuzz -- --nocapture --test-threads=2 2>&1 |
    grep -E '^fuzz |^test result|panicked|minimal failing input'
fi

harness=()
for s in malformed crash flap soak outage; do
  if want "$s"; then harness+=("$s"); fi
done
if [ ${#harness[@]} -gt 0 ]; then
  cargo build --locked -q -p berth-reliability
  target/debug/berth-reliability $short "${harness[@]}"
fi

# The app-level parts of a section are e2e tests (the built app under Xvfb), run here at their
# full size. The desktop e2e suite that scripts/test.sh runs before this has them at their
# short size, so with --short only a line says so.
# app_section TITLE SHORT-TITLE TEST SHOWN [VAR=value ...]: SHOWN picks the lines to print.
app_section() {
  local title=$1 short_title=$2 test=$3 shown=$4
  shift 4
  if [ -n "$short" ]; then
    printf '\n== %s\n' "$short_title"
    return
  fi
  printf '\n== %s\n' "$title"
  env "$@" tests/e2e/run.sh "$test" 2>&1 | grep -E "$shown|panicked|^test result: FAILED"
}

if want crash; then
  app_section \
    'the app SIGKILLed while it saves hosts and settings and keeps stats, events and activity, 50 times' \
    'the app SIGKILLed while it writes: 8 times in the desktop e2e suite (tests/e2e/run.sh the_app_killed)' \
    the_app_killed_while_it_writes_loses_nothing_it_confirmed \
    '^  (kill|start) |^kills: |^kept through|^[0-9]+ container actions| kills, seed ' \
    BERTH_CRASH_KILLS=50
fi

if want load; then
  # At their full sizes the load tests take well under a minute and a half, so the desktop e2e
  # suite has them at full size too.
  local_n=${BERTH_LOAD_LOCAL:-300} remote_n=${BERTH_LOAD_REMOTE:-700}
  app_section \
    "load: $local_n containers on the local engine, then $local_n + $remote_n across it and the SSH host: listed, searched, scrolled, a change while listed" \
    "load: $local_n containers on one engine, $((local_n + remote_n)) across two, in the desktop e2e suite (tests/e2e/run.sh load_)" \
    load_ \
    'created [0-9]+ containers|listed [0-9]+|search "|change arrived|removal arrived|load test .* took' \
    BERTH_LOAD_LOCAL="$local_n" BERTH_LOAD_REMOTE="$remote_n"
fi

if want soak; then
  # The desktop app soaked the way the harness soaked the core.
  app_section \
    "soak of the app: 50 streams opened from its page for ${BERTH_SOAK_SECONDS:-600} s, 5 reopened every 30 s" \
    'soak of the app: 90 s in the desktop e2e suite (tests/e2e/run.sh fifty_streams_held_open)' \
    fifty_streams_held_open \
    '^soak: [a-z]' \
    BERTH_SOAK_SECONDS="${BERTH_SOAK_SECONDS:-600}"
fi

if want deny; then
  printf '\n== cargo deny\n'
  scripts/deny.sh
fi
