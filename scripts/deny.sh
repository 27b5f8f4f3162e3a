#!/usr/bin/env bash
# cargo deny: licences, bans and sources of every crate in Cargo.lock (deny.toml). Advisories
# need the RustSec database, fetched from GitHub; they are checked only when GitHub answers,
# and the output says whether they were.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
if ! command -v cargo-deny >/dev/null 2>&1; then
  cargo install cargo-deny --locked --version 0.20.2
fi
# Every platform's crates, so the licence check sees the whole lock file.
cargo fetch --locked >/dev/null
cargo deny --offline check licenses bans sources
if timeout 10 git ls-remote https://github.com/RustSec/advisory-db HEAD >/dev/null 2>&1; then
  cargo deny check advisories
  echo "cargo deny: advisories checked against the RustSec database"
else
  echo "cargo deny: advisories NOT checked — the RustSec database (on GitHub) is unreachable from here"
fi
