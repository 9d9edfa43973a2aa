#!/usr/bin/env bash
# End-to-end test of `tinyloop compile --target eim` with the real Edge Impulse client
# (npm edge-impulse-linux@1.25.2, LinuxImpulseRunner, unmodified): simulate data, train an
# impulse, compile the .eim, compute the offline pipeline's prediction on one window
# (eim_expected) and check that the runner's hello/classify/classify_continuous/set_threshold
# agree with it. No network ports (Unix socket only).
# Usage: run.sh /path/to/tinyloop /path/to/eim_expected
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

[ $# -eq 2 ] || fail "usage: $0 /path/to/tinyloop /path/to/eim_expected"
TINYLOOP=$1
EXPECTED=$2
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || fail "node is not installed (scripts/setup installs nodejs)"
command -v npm >/dev/null || fail "npm is not installed (scripts/setup installs npm)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinyloop-eim.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/npm"

echo "--- npm install edge-impulse-linux@1.25.2 (fresh HOME, about a minute)"
if ! (cd "$WORK/npm" && npm install --ignore-scripts --no-audit --no-fund --no-update-notifier \
        edge-impulse-linux@1.25.2 >"$WORK/npm.log" 2>&1); then
  tail -n 30 "$WORK/npm.log" >&2
  fail "npm install edge-impulse-linux@1.25.2 failed (the npm registry must be reachable)"
fi
export NODE_PATH="$WORK/npm/node_modules"

echo "--- simulate, train, compile --target eim"
"$TINYLOOP" simulate --out "$WORK/data" --seed 3 >"$WORK/sim.log" 2>&1 ||
  fail "tinyloop simulate: $(tail -n 5 "$WORK/sim.log")"
"$TINYLOOP" train "$WORK/data" --out "$WORK/model" --seed 1 >"$WORK/train.log" 2>&1 ||
  fail "tinyloop train: $(tail -n 5 "$WORK/train.log")"
"$TINYLOOP" compile "$WORK/model" --target eim --out "$WORK/model.eim" >"$WORK/compile.log" 2>&1 ||
  fail "tinyloop compile --target eim: $(tail -n 5 "$WORK/compile.log")"
[ -x "$WORK/model.eim" ] || fail "model.eim is not executable"
"$WORK/model.eim" --print-info >"$WORK/info.json" || fail "model.eim --print-info"

"$EXPECTED" "$WORK/model" "$WORK/data" >"$WORK/expected.json" || fail "eim_expected"

echo "--- LinuxImpulseRunner"
node "$HERE/eim_client.js" "$WORK/model.eim" "$WORK/expected.json" || fail "eim_client.js"
echo "PASS"
