#!/usr/bin/env bash
# make release: the release zip, artifacts/relay-gateway-datasource-<version>.zip, with the frontend, the backend
# for linux/amd64, linux/arm64, darwin/arm64 and windows/amd64 (go tool mage -v release, the SDK's build package:
# package.json's version linked in) and the SDK's go_plugin_build_manifest, then the archive check in release
# mode, which fails unless all four binaries are there, the screenshots' age check (none older than the editor it
# shows: scripts/check-screenshots.mjs), then Grafana's plugin validator when this checkout has it at
# ../shared/tools/plugin-validator (scripts/validate-plugin.mjs: no error, no unexplained warning; a clone without
# it skips this step). ~10 min cold on two cores (four builds), ~30 s warm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-ci.sh
source scripts/lib/mage.sh

npm_ci
npm run --silent build
# Binaries of an earlier build must not slip into this release; webpack keeps them in dist/ on purpose.
rm -f dist/gpx_relay_*
mage -v release
npm run --silent package
node scripts/check-package.mjs --release
node scripts/check-screenshots.mjs
node scripts/validate-plugin.mjs
# relay-migrate (docs/migrate.md) for the same four platforms, beside the zip, not in it.
mage -v migrate
