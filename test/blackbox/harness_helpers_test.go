package blackbox

import (
	"strings"
	"testing"

	"github.com/relay-gateway/relay/test/blackbox/harness"
)

// harnessWithURL runs a data source pointing at upstreamURL instead of the demo API.
func harnessWithURL(t *testing.T, upstreamURL string) *harness.Stack {
	t.Helper()
	prov := strings.Replace(provisioning(`{"healthPath":"/health","network":{"allowPrivateNetworks":true}}`), "$DEMO_URL", upstreamURL, 1)
	return harness.Start(t, harness.Options{Provisioning: prov, SkipDemo: true})
}
