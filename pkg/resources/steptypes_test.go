package resources

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/relay-gateway/relay/pkg/transform"
)

// TestStepTypesSchemas: the Pipeline's steps, in the served document and in
// the golden the frontend is checked against, are the transform registry's:
// a oneOf of one component per step type, in registry order, discriminated
// by "type", each allowing exactly the registry's fields. A step type added
// without -update fails here by name.
func TestStepTypesSchemas(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	f := newFixture(t, `{}`, goldenFeatures(h))
	golden, err := os.ReadFile(filepath.Join("testdata", "openapi.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	type schema struct {
		Ref        string             `json:"$ref"`
		Required   []string           `json:"required"`
		Properties map[string]*schema `json:"properties"`
		Items      *schema            `json:"items"`
		Enum       []string           `json:"enum"`
		OneOf      []schema           `json:"oneOf"`
		Additional json.RawMessage    `json:"additionalProperties"`
		Discrim    *struct {
			PropertyName string            `json:"propertyName"`
			Mapping      map[string]string `json:"mapping"`
		} `json:"discriminator"`
	}
	for name, doc := range map[string][]byte{"served": f.api.OpenAPI(), "golden": golden} {
		var d struct {
			Components struct {
				Schemas map[string]*schema `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		sc := d.Components.Schemas
		if ref := sc["Pipeline"].Properties["steps"].Items.Ref; ref != "#/components/schemas/Step" {
			t.Fatalf("%s document: Pipeline.steps items are %q, not the Step union", name, ref)
		}
		step := sc["Step"]
		if step.Discrim == nil || step.Discrim.PropertyName != "type" {
			t.Fatalf("%s document: Step has no type discriminator", name)
		}
		var order []string
		for _, member := range step.OneOf {
			comp := sc[filepath.Base(member.Ref)]
			if comp == nil || len(comp.Properties["type"].Enum) != 1 {
				t.Fatalf("%s document: Step member %q is not a step component with one type", name, member.Ref)
			}
			order = append(order, comp.Properties["type"].Enum[0])
		}
		if want := transform.StepTypes(); !slices.Equal(order, want) {
			t.Errorf("%s document: step types %v, registry %v", name, order, want)
		}
		if got := slices.Sorted(maps.Keys(step.Discrim.Mapping)); !slices.Equal(got, slices.Sorted(slices.Values(transform.StepTypes()))) {
			t.Errorf("%s document: discriminator maps %v", name, got)
		}
		for _, st := range transform.StepSchemas() {
			comp := sc[stepComponent(st.Type)]
			if comp == nil {
				t.Errorf("%s document: no component for step type %s", name, st.Type)
				continue
			}
			if string(comp.Additional) != "false" {
				t.Errorf("%s document: %s allows other fields, its decoder does not", name, st.Type)
			}
			want := []string{"type"}
			required := []string{"type"}
			for _, f := range st.Fields {
				want = append(want, f.Name)
				if f.Required {
					required = append(required, f.Name)
				}
			}
			if got := slices.Sorted(maps.Keys(comp.Properties)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("%s document: %s fields %v, registry %v", name, st.Type, got, want)
			}
			if !slices.Equal(comp.Required, required) {
				t.Errorf("%s document: %s required %v, registry %v", name, st.Type, comp.Required, required)
			}
		}
	}
}
