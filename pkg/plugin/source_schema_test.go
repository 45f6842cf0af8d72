package plugin_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	"github.com/relay-gateway/relay/pkg/query"
	"github.com/relay-gateway/relay/pkg/resources/resourcetest"
)

// TestServedSourceSchemaIsTheQueryModel: the served document's /transform
// source schema has every JSON field of the query model, nested structs
// included, and no other: plugin hands the model to resources, which derives
// the schema from it. A query field added without reaching the document, or
// a schema written by hand beside the model, fails here by name.
func TestServedSourceSchemaIsTheQueryModel(t *testing.T) {
	ds := plugintest.New(t, plugintest.Config{URL: "https://api.example.com"})
	r := ds.Call(resourcetest.Request{Method: "GET", Path: "openapi.json", Role: "Viewer"})
	if r.Status != 200 {
		t.Fatalf("GET /openapi.json: %d %s", r.Status, r.Body)
	}
	type schema struct {
		Ref        string             `json:"$ref"`
		Properties map[string]*schema `json:"properties"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]*schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var check func(where string, typ reflect.Type, s *schema)
	check = func(where string, typ reflect.Type, s *schema) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if s == nil {
			t.Fatalf("%s: no schema", where)
		}
		var want []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			want = append(want, name)
			p := s.Properties[name]
			if p == nil {
				t.Errorf("%s.%s (query model field %s.%s) is missing from the served source schema", where, name, typ.Name(), f.Name)
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath() && p.Ref == "" {
				check(where+"."+name, ft, p)
			}
		}
		var got []string
		for name := range s.Properties {
			got = append(got, name)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: schema properties %v, query model %v", where, got, want)
		}
	}
	check("source", reflect.TypeOf(query.Query{}), doc.Components.Schemas["TransformRequest"].Properties["source"])
}
