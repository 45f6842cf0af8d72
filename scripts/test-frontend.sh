#!/usr/bin/env bash
# Frontend, packaging and browser checks, from a clean clone:
#   npm ci (unless node_modules is already its install) · typecheck · lint · jest · package checker self-test ·
#   webpack build · backend build (mage, linux/amd64) · package + archive check · browser test.
# Installs Debian's chromium and fonts when missing (root). ~5-7 min cold.
set -euo pipefail
cd "$(dirname "$0")/.."

export CI=${CI:-true}
export NODE_OPTIONS=${NODE_OPTIONS:---max-old-space-size=4096}
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "npm ci"
# npm ci deletes node_modules and installs it again (~60 s even from a warm npm cache); skip that when
# node_modules is already the install of this very package-lock.json (a clean clone always installs).
installed=node_modules/.relay-npm-ci
want=$({ cat package-lock.json; node --version; } | sha256sum | cut -d' ' -f1)
if [ "${FORCE_NPM_CI:-}" != 1 ] && [ "$(cat "$installed" 2>/dev/null)" = "$want" ]; then
  echo "node_modules is npm ci's install of this package-lock.json; not reinstalling (FORCE_NPM_CI=1 does)"
else
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$installed"
fi

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "jest"
npm run --silent test:ci

step "package checker self-test"
node --test scripts/

step "webpack build"
npm run --silent build

step "backend build: go tool mage -v build:linux"
# The SDK's build package needs go.sum entries that the plugin itself does not;
# until go.sum has them, build with a temporary copy of the module files.
if ! go tool mage -l >/dev/null 2>&1; then
  tmpmod=$(mktemp -d)
  cp go.mod "$tmpmod/go.mod"
  cp go.sum "$tmpmod/go.sum"
  sdk=$(go list -m -f '{{.Version}}' github.com/grafana/grafana-plugin-sdk-go)
  GOFLAGS=-modfile="$tmpmod/go.mod" go get "github.com/grafana/grafana-plugin-sdk-go/build@$sdk" >/dev/null
  echo "WARNING: go.sum lacks the SDK build package's modules; run: go get github.com/grafana/grafana-plugin-sdk-go/build@$sdk" >&2
  export GOFLAGS="-modfile=$tmpmod/go.mod"
fi
go tool mage -v build:linux

step "package and check the archive"
npm run --silent package
npm run --silent test:package

step "browser test (headless Chromium, dev host, Relay, demo API)"
RELAY_PLUGIN=dist/gpx_relay_linux_amd64 node e2e/run.mjs

step "done"
