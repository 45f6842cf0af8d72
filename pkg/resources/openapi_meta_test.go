package resources

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// keyUse reads an operation's security: whether every way in, some, or none
// carries the Relay API key; and that every way has a Grafana identity.
func keyUse(t *testing.T, where string, op *openapi3.Operation) apiKeyUse {
	t.Helper()
	if op.Security == nil || len(*op.Security) == 0 {
		t.Fatalf("%s: no security", where)
	}
	with := 0
	for _, req := range *op.Security {
		if _, ok := req[schemeAPIKey]; ok {
			with++
		}
		if req[schemeSession] == nil && req[schemeToken] == nil && req[schemeBasic] == nil {
			t.Errorf("%s: a way in without a Grafana identity: %v", where, req)
		}
	}
	switch with {
	case 0:
		return apiKeyNever
	case len(*op.Security):
		return apiKeyAlways
	}
	return apiKeyMaybe
}

// TestOperationSecurityAndErrors: each operation's security follows the
// policy that enforces it (a route override requiring an API key, an action
// that requires one, /actions/{name} where some do), and each documents a
// client error and the default error, and only described tags.
func TestOperationSecurityAndErrors(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	f := goldenFeatures(h)
	f.Proxy, f.Actions = namedProxy{stubProxy{h}}, namedActions{}
	fx := newFixture(t, `{"routes": {"info": {"apiKeyRequired": true}}}`, f)
	doc := loadGolden(t, fx.api.OpenAPI())
	want := map[string]apiKeyUse{"info": apiKeyAlways, "openapi": apiKeyNever, "audit": apiKeyNever,
		"actions.run": apiKeyMaybe, "action.create-item": apiKeyAlways, "proxy.get": apiKeyNever, "proxy.billing.post": apiKeyNever}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if w, ok := want[op.OperationID]; ok {
				seen[op.OperationID] = true
				if got := keyUse(t, where, op); got != w {
					t.Errorf("%s: API key use %d, want %d", where, got, w)
				}
			} else {
				keyUse(t, where, op)
			}
			for _, tag := range op.Tags {
				if doc.Tags.Get(tag) == nil || doc.Tags.Get(tag).Description == "" {
					t.Errorf("%s: tag %q is not described (add it to tagDescriptions)", where, tag)
				}
			}
			var clientErr bool
			for code := range op.Responses.Map() {
				clientErr = clientErr || strings.HasPrefix(code, "4")
			}
			if !clientErr || op.Responses.Default() == nil {
				t.Errorf("%s: responses %v lack a 4xx or the default", where, slices.Sorted(maps.Keys(op.Responses.Map())))
			}
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("no operation %s in the document", id)
		}
	}
}
