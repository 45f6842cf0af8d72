#!/usr/bin/env bash
# Builds Relay, the dev host and the demo API, then runs them on loopback with
# the data source from dev/provisioning.yaml. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin}
DEVHOST_ADDR=${DEVHOST_ADDR:-127.0.0.1:3000}
DEMO_ADDR=${DEMO_ADDR:-127.0.0.1:8081}
mkdir -p "$BIN"

echo "building plugin, dev host, demo API and the playground..."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build && npm run --silent build:playground
./scripts/build-plugin.sh "$BIN" # with package.json's version, and plugin.json beside it
go build -o "$BIN/devhost" ./cmd/devhost
go build -o "$BIN/demoapi" ./cmd/demoapi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Demo credentials: the demo API's defaults, handed to Relay through the
# provisioning file's $ENV expansion exactly as a real Grafana would.
export DEMO_URL="http://$DEMO_ADDR"
export DEMO_BEARER_TOKEN=${DEMO_BEARER_TOKEN:-demo-token}
export DEMO_CLIENT_SECRET=${DEMO_CLIENT_SECRET:-demo-secret}

"$BIN/demoapi" -addr "$DEMO_ADDR" 2>>"$BIN/demoapi.log" &
pids+=($!)
"$BIN/devhost" -plugin "$BIN/gpx_relay_$(go env GOOS)_$(go env GOARCH)" -provisioning dev/provisioning.yaml \
  -users dev/users.yaml -addr "$DEVHOST_ADDR" -frontend dist -playground playground/dist 2>>"$BIN/devhost.log" &
pids+=($!)

url="http://$DEVHOST_ADDR"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$url/api/health" 2>/dev/null && break
  sleep 0.1
done
cat <<MSG

Relay is running behind the dev host at $url (demo API at $DEMO_URL).
Playground: $url/ (sign in as admin/admin, editor/editor or viewer/viewer).
Logs: $BIN/devhost.log, $BIN/demoapi.log. Users: admin/admin, editor/editor, viewer/viewer.

  curl -u viewer:viewer $url/api/datasources/uid/relay-demo/health
  curl -u viewer:viewer $url/api/datasources/uid/relay-demo/resources/info
  curl -u viewer:viewer '$url/api/datasources/uid/relay-demo/resources/proxy/api/items?limit=2'

More in README.md and docs/resource-api.md. Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
