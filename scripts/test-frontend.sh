#!/usr/bin/env bash
# Frontend, packaging and browser checks, from a clean clone:
#   npm ci (unless node_modules is already its install) · typecheck · lint · OpenAPI lint · jest · package checker self-test ·
#   webpack build · backend build (mage, linux/amd64) · package + archive check · browser test.
# Installs Debian's chromium and fonts when missing (root). ~5-7 min cold.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-ci.sh
source scripts/lib/mage.sh

export CI=${CI:-true}
export NODE_OPTIONS=${NODE_OPTIONS:---max-old-space-size=4096}
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "npm ci"
npm_ci

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "OpenAPI lint (Redocly recommended, Spectral oas) of the golden documents"
scripts/lint-openapi.sh

step "jest"
npm run --silent test:ci

step "package checker self-test"
node --test scripts/

step "webpack build"
npm run --silent build

step "backend build: go tool mage -v build:linux"
mage -v build:linux

step "package and check the archive"
npm run --silent package
npm run --silent test:package

step "browser test (headless Chromium, dev host, Relay, demo API)"
RELAY_PLUGIN=dist/gpx_relay_linux_amd64 node e2e/run.mjs

step "done"
