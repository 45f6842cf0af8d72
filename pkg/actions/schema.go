package actions

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// paramsSchema is the JSON schema of an action's "params" object, for
// GET /actions and /openapi.json, with an example when one can be made
// without guessing (a pattern without a default or enum has none).
func paramsSchema(a *action) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	no := false
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	example := map[string]any{}
	complete := true
	for _, p := range a.params {
		s.WithProperty(p.Name, paramSchema(p))
		if p.required {
			s.Required = append(s.Required, p.Name)
		}
		if v, ok := exampleValue(p); ok {
			example[p.Name] = v
		} else if p.required {
			complete = false
		}
	}
	if complete {
		s.Example = example
	}
	return s
}

func paramSchema(p *param) *openapi3.Schema {
	var s *openapi3.Schema
	switch p.Type {
	case "string":
		s = openapi3.NewStringSchema()
		if p.Min != nil && *p.Min > 0 {
			s.MinLength = uint64(*p.Min)
		}
		if p.Max != nil && *p.Max >= 0 {
			n := uint64(*p.Max)
			s.MaxLength = &n
		}
		s.Pattern = p.Pattern
	case "integer":
		s = openapi3.NewIntegerSchema()
		s.Min, s.Max = p.Min, p.Max
	case "number":
		s = openapi3.NewFloat64Schema()
		s.Min, s.Max = p.Min, p.Max
	default:
		s = openapi3.NewBoolSchema()
	}
	s.Description = p.Description
	if len(p.enum) > 0 {
		s.Enum = append([]any(nil), p.enum...)
	}
	s.Default = p.def
	return s
}

// exampleValue picks a valid value: the default, the first enum value, or a
// value built from the bounds.
func exampleValue(p *param) (any, bool) {
	switch {
	case p.def != nil:
		return p.def, true
	case len(p.enum) > 0:
		return p.enum[0], true
	}
	switch p.Type {
	case "boolean":
		return true, true
	case "integer":
		v := int64(1)
		if p.Min != nil && float64(v) < *p.Min {
			v = int64(*p.Min)
		}
		if p.Max != nil && float64(v) > *p.Max {
			v = int64(*p.Max)
		}
		return valid(p, float64(v))
	case "number":
		v := 1.0
		if p.Min != nil && v < *p.Min {
			v = *p.Min
		}
		if p.Max != nil && v > *p.Max {
			v = *p.Max
		}
		return valid(p, v)
	case "string":
		if p.re != nil {
			return nil, false
		}
		v := "example"
		if p.Min != nil && float64(len(v)) < *p.Min {
			v += strings.Repeat("x", int(*p.Min)-len(v))
		}
		if p.Max != nil && float64(len(v)) > *p.Max {
			v = v[:int(*p.Max)]
		}
		return valid(p, v)
	}
	return nil, false
}

func valid(p *param, v any) (any, bool) {
	t, msg := p.check(v)
	return t, msg == ""
}
