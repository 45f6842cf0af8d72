package resources

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/query"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi.golden.json")

type stubProxy struct{ http.HandlerFunc }

func (stubProxy) RulesFor(authz.Caller) []authz.RuleView { return nil }
func (stubProxy) Rules() []authz.RuleView {
	return []authz.RuleView{{Path: "/", Methods: []string{"GET", "HEAD"}, MinRole: 1}}
}

type stubActions struct{}

func (stubActions) List(http.ResponseWriter, *http.Request) {}
func (stubActions) Run(http.ResponseWriter, *http.Request)  {}
func (stubActions) Docs() []authz.ActionDoc                 { return nil }

// goldenFeatures are the features of the golden document: every route, and
// the real query model for /transform's source (as plugin hands it in).
func goldenFeatures(h http.HandlerFunc) Features {
	return Features{Proxy: stubProxy{h}, Transform: h, Schema: h, GraphQLSchema: h, Actions: stubActions{}, SourceModel: query.Query{},
		OpenAPIImport: h}
}

// namedProxy serves a default and a named upstream, as proxy.Router does.
type namedProxy struct{ stubProxy }

func (namedProxy) Upstreams(*authz.Caller) []authz.UpstreamView {
	return []authz.UpstreamView{
		{Name: "default", Default: true, Origin: "https://api.example.com", AuthType: "bearer", ProxyPath: "/proxy/",
			ProxyRules: []authz.RuleView{{Path: "/", Methods: []string{"GET", "HEAD"}, MinRole: 1}}},
		{Name: "billing", Origin: "https://billing.example.com", AuthType: "sigv4", ProxyPath: "/proxy/billing/",
			ProxyRules: []authz.RuleView{{Path: "/invoices", Methods: []string{"GET"}, MinRole: 1},
				{Path: "/invoices", Methods: []string{"POST"}, MinRole: 2, CacheTTL: ""}}},
	}
}

// namedActions has one configured action, documented as its own path.
type namedActions struct{ stubActions }

func (namedActions) Docs() []authz.ActionDoc {
	params := openapi3.NewObjectSchema().
		WithProperty("name", openapi3.NewStringSchema().WithMaxLength(100)).
		WithProperty("price", openapi3.NewFloat64Schema().WithMin(0))
	params.Required = []string{"name"}
	params.Example = map[string]any{"name": "Lamp", "price": 12.5}
	return []authz.ActionDoc{{Name: "create-item", Title: "Create item", Description: "POST /api/items",
		MinRole: 2, APIKeyRequired: true, Params: params}}
}

// goldenDocs are the pinned documents: every route of a data source with
// one upstream, and one with a named upstream and a configured action (the
// paths those add). scripts/lint-openapi.sh lints both.
func goldenDocs(t *testing.T) map[string][]byte {
	h := func(http.ResponseWriter, *http.Request) {}
	named := goldenFeatures(h)
	named.Proxy, named.Actions = namedProxy{stubProxy{h}}, namedActions{}
	return map[string][]byte{
		"openapi.golden.json":       newFixture(t, `{}`, goldenFeatures(h)).api.OpenAPI(),
		"openapi.named.golden.json": newFixture(t, `{}`, named).api.OpenAPI(),
	}
}

// TestOpenAPIGolden pins the generated documents, which the frontend's types
// are checked against (src/api/contract.test.ts) and the linters run on: a
// route or schema change shows up here first. Run with -update to accept a change.
func TestOpenAPIGolden(t *testing.T) {
	for name, doc := range goldenDocs(t) {
		got := append(doc, '\n')
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./pkg/resources -run OpenAPIGolden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the OpenAPI document %s changed; review and run go test ./pkg/resources -run OpenAPIGolden -update", name)
		}
	}
}
