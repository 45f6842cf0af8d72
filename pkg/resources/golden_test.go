package resources

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/relay-gateway/relay/pkg/authz"
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

// TestOpenAPIGolden pins the generated document, which the frontend's types
// are checked against (src/api/contract.test.ts): a route or schema change
// shows up here first. Run with -update to accept a change.
func TestOpenAPIGolden(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	f := newFixture(t, `{}`, Features{Proxy: stubProxy{h}, Transform: h, Schema: h, GraphQLSchema: h, Actions: stubActions{}, OpenAPIImport: h})
	got := append(f.api.OpenAPI(), '\n')
	path := filepath.Join("testdata", "openapi.golden.json")
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
		t.Fatalf("the OpenAPI document changed; review and run go test ./pkg/resources -run OpenAPIGolden -update")
	}
}
