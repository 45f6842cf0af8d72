#!/usr/bin/env bash
# Builds the plugin backend for this machine as OUT/gpx_relay_<os>_<arch>, with package.json's version linked in
# the way the SDK's build package does it (go tool mage; the harness's VersionLDFlags is the same), and writes
# OUT/plugin.json beside it: the dev host, like Grafana, reads the plugin's version from the plugin's folder.
#   scripts/build-plugin.sh [OUT]        (default: bin)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-bin}
id=relay-gateway-datasource
version=$(node -p 'require("./package.json").version')
mkdir -p "$out"
go build -o "$out/gpx_relay_$(go env GOOS)_$(go env GOARCH)$(go env GOEXE)" \
  -ldflags "-X 'github.com/grafana/grafana-plugin-sdk-go/build/buildinfo.buildInfoJSON={\"pluginID\":\"$id\",\"version\":\"$version\"}' -X 'main.pluginID=$id' -X 'main.version=$version'" \
  ./pkg
sed -e "s/%VERSION%/$version/g" -e "s/%TODAY%/$(date -u +%Y-%m-%d)/g" src/plugin.json >"$out/plugin.json"
