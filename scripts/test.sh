#!/usr/bin/env bash
# make test: the Go half (go vet, go test -race), the frontend half (scripts/test-frontend.sh) and the Grafana
# versions half (scripts/grafana-versions.sh: the frontend against the oldest supported Grafana, 11.6, and 12.0) run
# side by side. Each is mostly one busy process at a time (the black-box tests wait on the plugin, the frontend on npm,
# tsc, eslint, jest, the browser), so on two cores together they take little longer than the longer one alone.
# Output lines are prefixed [go], [frontend] or [versions]; whole logs are in artifacts/test-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=artifacts/test-logs
mkdir -p "$logs"
start=$(date +%s)

# half NAME COMMAND...: runs COMMAND, prefixing its output, and reports how it ended and how long it took.
half() {
  local name=$1 t0 status
  shift
  t0=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name.log" | while IFS= read -r line; do printf '[%s] %s\n' "$name" "$line"; done
  status=${PIPESTATUS[0]}
  if [ "$status" -eq 0 ]; then
    echo "[$name] passed in $(($(date +%s) - t0)) s"
  else
    echo "[$name] FAILED (exit $status) after $(($(date +%s) - t0)) s; log: $logs/$name.log"
  fi
  return "$status"
}

# The shared-state tests (pkg/shared, test/blackbox fleet tests) run a real redis-server, Debian's package: install it
# when missing, as the browser test installs chromium, before the halves start (two apt-get at once would collide).
# test/blackbox/harness does the same for a plain go test.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server with apt-get (root)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends redis-server >/dev/null; } ||
    echo "could not install redis-server; the shared-state tests will fail"
fi

half go make --no-print-directory vet test-go &
go_pid=$!
half frontend ./scripts/test-frontend.sh &
frontend_pid=$!
half versions ./scripts/grafana-versions.sh &
versions_pid=$!

failed=0
wait "$go_pid" || failed=1
wait "$frontend_pid" || failed=1
wait "$versions_pid" || failed=1
echo "make test: $([ $failed -eq 0 ] && echo passed || echo FAILED) in $(($(date +%s) - start)) s"
exit $failed
