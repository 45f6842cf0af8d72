package resources

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// strictSchemas closes every object schema that lists its properties and
// says nothing of others, as Redocly's no-invalid-schema-examples does: an
// example with a field the schema does not declare is wrong (a client
// generated from the document would drop or reject it).
func strictSchemas(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties.Has = openapi3.Ptr(false)
	}
	eachSub(s, func(sub *openapi3.Schema) { strictSchemas(sub, seen) })
}

func eachSub(s *openapi3.Schema, f func(*openapi3.Schema)) {
	refs := append(openapi3.SchemaRefs{s.Items, s.AdditionalProperties.Schema, s.Not}, s.OneOf...)
	refs = append(append(refs, s.AnyOf...), s.AllOf...)
	for _, p := range s.Properties {
		refs = append(refs, p)
	}
	for _, r := range refs {
		if r != nil && r.Value != nil {
			f(r.Value)
		}
	}
}

// examples lists every example of a document with the schema it must meet:
// schema examples (components and nested), media type examples, parameter
// examples.
func examples(doc *openapi3.T) map[string]struct {
	schema  *openapi3.Schema
	example any
} {
	out := map[string]struct {
		schema  *openapi3.Schema
		example any
	}{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.Schema)
	walk = func(where string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Example != nil {
			out[where] = struct {
				schema  *openapi3.Schema
				example any
			}{s, s.Example}
		}
		for name, p := range s.Properties {
			if p.Value != nil {
				walk(where+"."+name, p.Value)
			}
		}
		eachSub(s, func(sub *openapi3.Schema) { walk(where+"/sub", sub) })
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names) // a schema met twice keeps the name of its first place
	for _, name := range names {
		walk("#/components/schemas/"+name, doc.Components.Schemas[name].Value)
	}
	media := func(where string, c openapi3.Content) {
		for ct, mt := range c {
			if mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			if mt.Example != nil {
				out[where+" "+ct] = struct {
					schema  *openapi3.Schema
					example any
				}{mt.Schema.Value, mt.Example}
			}
			for k, ex := range mt.Examples {
				out[where+" "+ct+" "+k] = struct {
					schema  *openapi3.Schema
					example any
				}{mt.Schema.Value, ex.Value.Value}
			}
			walk(where+" "+ct, mt.Schema.Value)
		}
	}
	for name, r := range doc.Components.Responses {
		media("#/components/responses/"+name, r.Value.Content)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			for _, p := range op.Parameters {
				if p.Value.Schema != nil && p.Value.Example != nil {
					out[where+" param "+p.Value.Name] = struct {
						schema  *openapi3.Schema
						example any
					}{p.Value.Schema.Value, p.Value.Example}
				}
			}
			if op.RequestBody != nil {
				media(where+" request", op.RequestBody.Value.Content)
			}
			for code, r := range op.Responses.Map() {
				media(fmt.Sprintf("%s %s", where, code), r.Value.Content)
			}
		}
	}
	return out
}

// loadGolden parses a served document as a client would.
func loadGolden(t *testing.T, raw []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestExamplesValid: every example of the documents (the golden ones: all
// routes, a named upstream, a configured action) is valid against its own
// schema, with undeclared fields refused.
func TestExamplesValid(t *testing.T) {
	for name, raw := range goldenDocs(t) {
		doc := loadGolden(t, raw)
		seen := map[*openapi3.Schema]bool{}
		for _, s := range doc.Components.Schemas {
			strictSchemas(s.Value, seen)
		}
		exs := examples(doc)
		if len(exs) < 10 {
			t.Fatalf("%s: only %d examples found; the walk misses some", name, len(exs))
		}
		for where, ex := range exs {
			strictSchemas(ex.schema, seen)
			if err := ex.schema.VisitJSON(ex.example, openapi3.MultiErrors()); err != nil {
				t.Errorf("%s: the example at %s does not match its schema: %v", name, where, err)
			}
		}
	}
}

// TestStepSchemaRefusesWrongFields: the step union is strict per type, so
// the checks above can fail: a filter step without expr, or with sort's by,
// is refused; each type's own fields pass.
func TestStepSchemaRefusesWrongFields(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	doc := loadGolden(t, newFixture(t, `{}`, goldenFeatures(h)).api.OpenAPI())
	step := doc.Components.Schemas["Step"].Value
	for _, tc := range []struct {
		step map[string]any
		ok   bool
	}{
		{map[string]any{"type": "filter", "expr": "price > 20"}, true},
		{map[string]any{"type": "sort", "by": []any{map[string]any{"field": "price", "desc": true}, "name"}}, true},
		{map[string]any{"type": "limit", "count": 10}, true},
		{map[string]any{"type": "filter"}, false},
		{map[string]any{"type": "filter", "expr": "x", "by": []any{"x"}}, false},
		{map[string]any{"type": "limit", "count": "ten"}, false},
		{map[string]any{"type": "teleport"}, false},
	} {
		err := step.VisitJSON(tc.step)
		if (err == nil) != tc.ok {
			t.Errorf("%v: valid %v, want %v (%v)", tc.step, err == nil, tc.ok, err)
		}
	}
}
