# Sourced by test-frontend.sh and release.sh: npm ci, unless node_modules is already npm ci's install of this
# very package-lock.json (npm ci deletes and reinstalls node_modules: ~60 s even from a warm npm cache). A clean
# clone always installs; FORCE_NPM_CI=1 always does.
npm_ci() {
  local installed=node_modules/.relay-npm-ci want
  want=$(node -e 'const h = require("crypto").createHash("sha256");
    h.update(require("fs").readFileSync("package-lock.json")).update(process.version);
    process.stdout.write(h.digest("hex"))')
  if [ "${FORCE_NPM_CI:-}" != 1 ] && [ "$(cat "$installed" 2>/dev/null)" = "$want" ]; then
    echo "node_modules is npm ci's install of this package-lock.json; not reinstalling (FORCE_NPM_CI=1 does)"
    return
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$installed"
}
