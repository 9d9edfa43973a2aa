#!/usr/bin/env bash
# End-to-end test with the real Edge Impulse client code (npm edge-impulse-linux@1.25.2):
# installs the package into a fresh temporary folder with a fresh HOME, starts
# `tinyloop server` on the fixed Edge Impulse ports 4800/4810 (the clients have no port
# option; CTest holds RESOURCE_LOCK ei_ports), creates a project, and runs forwarder.js
# (DataForwarder) and uploader.js (the uploader's login + make-image upload).
# Usage: run.sh /path/to/tinyloop
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || fail "usage: $0 /path/to/tinyloop"
TINYLOOP=$1
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$TINYLOOP" ] || fail "tinyloop binary not found or not executable: $TINYLOOP"
command -v node >/dev/null || fail "node is not installed (scripts/setup installs nodejs)"
command -v npm >/dev/null || fail "npm is not installed (scripts/setup installs npm)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinyloop-real-clients.XXXXXX")
SERVER_PID=""
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ $rc -ne 0 ] && [ -s "$WORK/server.err" ]; then
    echo "--- server stderr (last 40 lines)" >&2
    tail -n 40 "$WORK/server.err" >&2
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The real client package, fresh.
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/npm"
echo "--- npm install edge-impulse-linux@1.25.2 (fresh HOME, about a minute)"
if ! (cd "$WORK/npm" && npm install --ignore-scripts --no-audit --no-fund --no-update-notifier \
        edge-impulse-linux@1.25.2 >"$WORK/npm.log" 2>&1); then
  tail -n 30 "$WORK/npm.log" >&2
  fail "npm install edge-impulse-linux@1.25.2 failed (the npm registry must be reachable)"
fi
export NODE_PATH="$WORK/npm/node_modules"
[ -f "$NODE_PATH/edge-impulse-linux/build/library/data-forwarder.js" ] ||
  fail "edge-impulse-linux installed without build/library/data-forwarder.js"

# 2. A project, then the server on the Edge Impulse ports.
DATA="$WORK/data"
"$TINYLOOP" project create e2e-real-clients --data-dir "$DATA" --json >"$WORK/project.json" ||
  fail "tinyloop project create failed"
read -r TL_PROJECT_ID TL_API_KEY TL_HMAC_KEY < <(node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf-8"));
  if (!(p.id > 0) || !p.api_key || !p.hmac_key) throw new Error("bad project JSON");
  console.log(p.id, p.api_key, p.hmac_key);' "$WORK/project.json") ||
  fail "project create --json printed $(cat "$WORK/project.json")"
export TL_PROJECT_ID TL_API_KEY TL_HMAC_KEY

"$TINYLOOP" server --data-dir "$DATA" --port 4800 --ingestion-port 4810 \
  >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 300); do
  grep -q '^listening on ' "$WORK/server.out" && break
  kill -0 "$SERVER_PID" 2>/dev/null ||
    fail "server exited before listening (ports 4800/4810 in use?): $(tail -n 5 "$WORK/server.err")"
  sleep 0.1
done
grep -q '^listening on http://127.0.0.1:4800 .*http://127.0.0.1:4810 ' "$WORK/server.out" ||
  fail "server did not report listening on 4800 and 4810: $(cat "$WORK/server.out")"

# 3. The real clients. Each script exits non-zero on the first failed assertion.
cd "$WORK"
echo "--- DataForwarder"
node "$HERE/forwarder.js" || fail "forwarder.js"
echo "--- uploader (Config.verifyLogin + make-image upload)"
EI_HOST=127.0.0.1 node "$HERE/uploader.js" || fail "uploader.js"

# 4. The server stops cleanly on SIGTERM.
kill -TERM "$SERVER_PID"
for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SERVER_PID" 2>/dev/null && fail "server still running 10 s after SIGTERM"
wait "$SERVER_PID" && rc=0 || rc=$?
SERVER_PID=""
[ "$rc" -eq 0 ] || fail "server exited with $rc after SIGTERM"
echo "PASS: real Edge Impulse clients"
