#!/usr/bin/env bash
# Lints Relay's own OpenAPI document (by default the golden file the Go test pins,
# pkg/resources/testdata/openapi.golden.json; or the files given) with Redocly CLI's
# recommended ruleset and Spectral's oas ruleset. Zero errors AND zero warnings, or it fails.
# Offline: both CLIs are pinned devDependencies, their rulesets are bundled, telemetry is off.
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
docs=("$@")
[ ${#docs[@]} -gt 0 ] || docs=(pkg/resources/testdata/openapi.golden.json pkg/resources/testdata/openapi.named.golden.json)
bin=node_modules/.bin
status=0
for doc in "${docs[@]}"; do
  echo "redocly (recommended): $doc"
  # Redocly fails on errors only; warnings count too here, so read its JSON report.
  report=$("$bin/redocly" lint --config scripts/openapi/redocly.yaml --format json "$doc" 2>/dev/null || true)
  if ! node -e '
    const r = JSON.parse(process.argv[1]);
    const t = r.totals || {};
    for (const p of r.problems || []) {
      const at = (p.location || []).map((l) => l.pointer).join(" ");
      console.log(`  ${p.severity} ${p.ruleId}: ${p.message} ${at}`);
    }
    console.log(`  ${t.errors ?? "?"} errors, ${t.warnings ?? "?"} warnings`);
    process.exit(t.errors === 0 && t.warnings === 0 ? 0 : 1);
  ' "$report"; then
    status=1
  fi
  echo "spectral (oas): $doc"
  if ! "$bin/spectral" lint --quiet --ruleset scripts/openapi/spectral.yaml --fail-severity hint "$doc"; then
    status=1
  else
    echo "  0 problems"
  fi
done
exit $status
