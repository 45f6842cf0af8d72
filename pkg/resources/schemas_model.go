package resources

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/transform"
)

// modelSchema derives a request schema from a Go model (the query model for
// /transform's source, handed in by plugin as Features.SourceModel, since
// resources imports no handler) by reflection over its json tags, so a field
// added to the model is in the document without anyone writing it twice:
//   - a field without omitempty is required;
//   - a type with a SetSchema(*openapi3.Schema) method (openapi3gen's
//     SetSchemar) describes itself, for types with their own JSON forms
//     (query.ParamValue: a string or a list of strings);
//   - an `enum:"a,b"` tag lists a string field's values;
//   - settings.Duration is its JSON form, a string such as "30s";
//   - transform.Pipeline is the shared Pipeline component.
func modelSchema(model any, pipeline *openapi3.SchemaRef) (*openapi3.Schema, error) {
	ref, err := openapi3gen.NewSchemaRefForValue(model, nil, openapi3gen.SchemaCustomizer(customizeModel))
	if err != nil {
		return nil, err
	}
	s := ref.Value
	if err := finishModel(reflect.TypeOf(model), s, pipeline); err != nil {
		return nil, err
	}
	return s, nil
}

var (
	durationType = reflect.TypeOf(settings.Duration{})
	pipelineType = reflect.TypeOf(transform.Pipeline{})
	setSchemar   = reflect.TypeOf((*openapi3gen.SetSchemar)(nil)).Elem()
)

func customizeModel(_ string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	switch {
	case t == pipelineType:
		return &openapi3gen.ExcludeSchemaSentinel{} // finishModel puts the component's $ref in its place
	case t == durationType:
		*s = openapi3.Schema{Type: &openapi3.Types{"string"}, Nullable: s.Nullable,
			Description: `A duration such as "30s", "5m" or "1d" (a number is seconds)`}
	case reflect.PointerTo(t).Implements(setSchemar):
		nullable := s.Nullable
		*s = openapi3.Schema{}
		reflect.New(t).Interface().(openapi3gen.SetSchemar).SetSchema(s)
		s.Nullable = nullable && s.Type != nil
	}
	if e := tag.Get("enum"); e != "" {
		s.Enum = nil
		for _, v := range strings.Split(e, ",") {
			s.Enum = append(s.Enum, v)
		}
	}
	return nil
}

// finishModel walks the Go type beside its schema: required fields, and the
// Pipeline component's $ref where the generator left the pipeline out.
func finishModel(t reflect.Type, s *openapi3.Schema, pipeline *openapi3.SchemaRef) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == durationType || s == nil {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft == pipelineType {
			s.WithPropertyRef(name, pipeline)
			continue // a component, described once; a pipeline is never required
		}
		p := s.Properties[name]
		if p == nil {
			return fmt.Errorf("model field %s.%s (%s) has no schema", t.Name(), f.Name, name)
		}
		if !strings.Contains(opts, "omitempty") {
			s.Required = append(s.Required, name)
		}
		if err := finishModel(ft, p.Value, pipeline); err != nil {
			return err
		}
	}
	return nil
}
