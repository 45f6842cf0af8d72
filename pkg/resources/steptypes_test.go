package resources

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/relay-gateway/relay/pkg/transform"
)

// TestStepTypesEnum: the Pipeline schema's step types, in the served document
// and in the golden the frontend is checked against, are the transform
// registry's; a step type added without -update fails here by name.
func TestStepTypesEnum(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	f := newFixture(t, `{}`, Features{Proxy: stubProxy{h}, Transform: h, Schema: h, Actions: stubActions{}})
	golden, err := os.ReadFile(filepath.Join("testdata", "openapi.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"served": f.api.OpenAPI(), "golden": golden} {
		var d struct {
			Components struct {
				Schemas map[string]struct {
					Properties struct {
						Steps struct {
							Items struct {
								Properties struct {
									Type struct {
										Enum []string `json:"enum"`
									} `json:"type"`
								} `json:"properties"`
							} `json:"items"`
						} `json:"steps"`
					} `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		got := d.Components.Schemas["Pipeline"].Properties.Steps.Items.Properties.Type.Enum
		if want := transform.StepTypes(); !slices.Equal(got, want) {
			t.Errorf("%s document: step types %v, registry %v", name, got, want)
		}
	}
}
