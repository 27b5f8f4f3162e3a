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

if want crash; then
  # The desktop app itself, killed while it writes: an e2e test (the built app under Xvfb).
  # Its short count (8) runs in the desktop e2e suite, which scripts/test.sh runs before this.
  if [ -z "$short" ]; then
    printf '\n== the app SIGKILLed while it saves hosts and settings and keeps stats, events and activity, 50 times\n'
    BERTH_CRASH_KILLS=50 tests/e2e/run.sh the_app_killed_while_it_writes_loses_nothing_it_confirmed 2>&1 |
      grep -E '^  (kill|start) |^kills: |^kept through|^[0-9]+ container actions| kills, seed |panicked|^test result: FAILED'
  else
    printf '\n== the app SIGKILLed while it writes: 8 times in the desktop e2e suite (tests/e2e/run.sh the_app_killed)\n'
  fi
fi

if want load; then
  # Many containers in the window: e2e tests (the built app under Xvfb). At their full sizes
  # they take well under a minute and a half, so the desktop e2e suite that scripts/test.sh runs
  # has them too; --short leaves them to it.
  local_n=${BERTH_LOAD_LOCAL:-300} remote_n=${BERTH_LOAD_REMOTE:-700}
  if [ -z "$short" ]; then
    printf '\n== load: %s containers on the local engine, then %s + %s across it and the SSH host: listed, searched, scrolled, a change while listed\n' \
      "$local_n" "$local_n" "$remote_n"
    BERTH_LOAD_LOCAL=$local_n BERTH_LOAD_REMOTE=$remote_n tests/e2e/run.sh load_ 2>&1 |
      grep -E 'created [0-9]+ containers|listed [0-9]+|search "|change arrived|removal arrived|load test .* took|panicked|^test result: FAILED'
  else
    printf '\n== load: %s containers on one engine, %s across two, in the desktop e2e suite (tests/e2e/run.sh load_)\n' \
      "$local_n" "$((local_n + remote_n))"
  fi
fi

if want soak; then
  # The desktop app soaked the way the harness soaked the core: an e2e test. Its 90-second
  # version runs in the desktop e2e suite; --short leaves it to that.
  if [ -z "$short" ]; then
    printf '\n== soak of the app: 50 streams opened from its page for 600 s, 5 reopened every 30 s\n'
    BERTH_SOAK_SECONDS=600 tests/e2e/run.sh fifty_streams_held_open 2>&1 |
      grep -E '^soak: [a-z]|panicked|^test result: FAILED'
  else
    printf '\n== soak of the app: 90 s in the desktop e2e suite (tests/e2e/run.sh fifty_streams_held_open)\n'
  fi
fi

if want deny; then
  printf '\n== cargo deny\n'
  scripts/deny.sh
fi
