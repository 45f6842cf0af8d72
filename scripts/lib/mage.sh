# Sourced by test-frontend.sh and release.sh: runs go tool mage with its arguments.
# The SDK's build package needs go.sum entries that the plugin itself does not; until go.sum has them, build
# with a temporary copy of the module files.
mage() {
  if ! go tool mage -l >/dev/null 2>&1; then
    local tmpmod sdk
    tmpmod=$(mktemp -d)
    cp go.mod "$tmpmod/go.mod"
    cp go.sum "$tmpmod/go.sum"
    sdk=$(go list -m -f '{{.Version}}' github.com/grafana/grafana-plugin-sdk-go)
    GOFLAGS=-modfile="$tmpmod/go.mod" go get "github.com/grafana/grafana-plugin-sdk-go/build@$sdk" >/dev/null
    echo "WARNING: go.sum lacks the SDK build package's modules; run: go get github.com/grafana/grafana-plugin-sdk-go/build@$sdk" >&2
    GOFLAGS="-modfile=$tmpmod/go.mod" go tool mage "$@"
    return
  fi
  go tool mage "$@"
}
