#!/usr/bin/env bash
# The frontend against the Grafana versions plugin.json's grafanaDependency admits, not only the pinned one:
# for each version, a copy of the frontend (package.json with @grafana/ui, data, runtime and schema at that version,
# forced through npm overrides so no second copy sneaks in transitively; src/, e2e/, playground/ and the configs)
# in a folder of its own outside the checkout, installed there by npm (the main node_modules is never touched), then
# typecheck, jest and the production build in that copy. The oldest version also runs the browser test (the real
# editors rendered by that version's @grafana/ui, against the running backend). The pinned version is what
# `make test` itself runs.
#
#   scripts/grafana-versions.sh [version...]     default: scripts/grafana-versions.json; BIN=<dir> reuses built binaries
#
# ~25 s per version when the copy's node_modules is already installed for that package.json (kept, like the main
# one, until it changes), ~60-90 s more when npm installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions, oldest first, are in scripts/grafana-versions.json (the archive check reads the oldest too).
if [ $# -gt 0 ]; then
  versions=("$@")
else
  read -r -a versions <<<"$(node -p 'require("./scripts/grafana-versions.json").versions.join(" ")')"
fi
oldest=${versions[0]}

# Outside the checkout: the scaffold's webpack config takes every **/src/**/plugin.json below the checkout as an entry,
# and the SDK's go_plugin_build_manifest lists every .go file below it (some npm packages ship Go files). Kept
# between runs (one folder per checkout), so npm installs only when the dependencies change.
cache=${RELAY_GRAFANA_VERSIONS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/relay/grafana-versions/$(pwd | cksum | cut -d' ' -f1)}
mkdir -p "$cache"

export CI=${CI:-true}
export NODE_OPTIONS=${NODE_OPTIONS:---max-old-space-size=4096}
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

# The Go binaries for the browser test: built once (the backend does not depend on the Grafana version).
if [ -z "${BIN:-}" ]; then
  BIN=$cache/bin
  mkdir -p "$BIN"
  step "Go binaries for the browser test"
  go build -o "$BIN/gpx_relay" ./pkg
  go build -o "$BIN/devhost" ./cmd/devhost
  go build -o "$BIN/demoapi" ./cmd/demoapi
fi
export BIN=$(cd "$BIN" && pwd)

for v in "${versions[@]}"; do
  dir=$cache/$v
  step "Grafana $v: copy of the frontend in $dir"
  mkdir -p "$dir"
  rm -rf "$dir/src" "$dir/e2e" "$dir/playground" "$dir/.config" "$dir/dist"
  cp -r src e2e playground .config "$dir/"
  rm -rf "$dir/playground/dist"
  # The frontend's contract and route-list tests read the OpenAPI golden documents beside the Go code.
  mkdir -p "$dir/pkg/resources/testdata" && cp pkg/resources/testdata/*.golden.json "$dir/pkg/resources/testdata/"
  cp tsconfig.json webpack.config.ts jest.config.js jest-setup.js .prettierrc.js LICENSE CHANGELOG.md "$dir/"
  node scripts/lib/grafana-version-package.mjs "$v" package.json "$dir/package.json"
  # npm install only when what it installs changed: the dependencies (package.json) and the main lock file.
  want=$(node -e 'const p = require(process.argv[1]); const h = require("crypto").createHash("sha256");
    h.update(JSON.stringify([p.dependencies, p.devDependencies, p.overrides, process.version]));
    h.update(require("fs").readFileSync("package-lock.json")); process.stdout.write(h.digest("hex"))' "$dir/package.json")
  if [ "$(cat "$dir/node_modules/.relay-installed" 2>/dev/null)" != "$want" ]; then
    step "Grafana $v: npm install"
    # The main lock file as the starting point: only what the four packages change is resolved again.
    cp package-lock.json "$dir/package-lock.json"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    echo "$want" >"$dir/node_modules/.relay-installed"
  fi
  (cd "$dir" && node -e 'for (const p of ["ui", "data", "runtime", "schema"]) {
      const v = require(`@grafana/${p}/package.json`).version;
      if (v !== process.argv[1]) { console.error(`@grafana/${p} is ${v}, not ${process.argv[1]}`); process.exit(1); }
    } console.log(`@grafana/ui, data, runtime, schema: ${process.argv[1]}`)' "$v")

  step "Grafana $v: typecheck"
  # The shipped code (src/); e2e/ and playground/ are development tools, bundled without type checks for the
  # browser test (the playground uses Field's noMargin, which @grafana/ui has since 12.0: without it, only spacing).
  (cd "$dir" && npx tsc --noEmit)
  step "Grafana $v: jest"
  # One worker: this half runs beside make test's other two on a small machine, and the editors' tests time out
  # when three jest workers share two cores with the Go tests.
  (cd "$dir" && npx jest --maxWorkers 1)
  step "Grafana $v: production build"
  (cd "$dir" && npx webpack -c ./webpack.config.ts --env production --no-stats >/dev/null)
  if [ "$v" = "$oldest" ]; then
    step "Grafana $v: browser test"
    (cd "$dir" && npx webpack -c playground/webpack.config.cjs --no-stats >/dev/null &&
      RELAY_PLUGIN=$BIN/gpx_relay node e2e/run.mjs)
  fi
done
step "done: ${versions[*]}"
