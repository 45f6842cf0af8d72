package openapiimport

import (
	"slices"
	"strings"
)

// The document model: only what an import reads, decoded by encoding/json
// in one pass. kin-openapi's model decodes every level of a document twice
// (the struct, then a map for its extensions), which costs time and memory
// in proportion to size × depth: a generated 10 MB description took 20 s
// and 13× its size in live heap (see bench_test.go). Everything else is
// skipped by the decoder without being kept.
//
// Paths and components.schemas, nearly all of a large document, are not
// decoded up front: each is kept as its span of the document bytes
// (lazy.go) and decoded when the import reaches it, a path item at a time
// (dropped once mapped) and a schema when a $ref first names it (kept while
// operations share it, forgotten past a budget: lazy.go). The model of the
// whole document never exists at once: on the 10 MB benchmark
// (bench_test.go) the peak heap went from about 11 × the document to about
// 7 ×, then (forgetting schemas, lists allocated at their size, interned
// names) to about 4.5 ×; what stays live is mostly the proposal itself
// (about 1.9 × the document there: 20,700 rules, 12,420 actions).

type document struct {
	OpenAPI    any `json:"openapi"` // "3.0.3"; any type, so a wrong one is refused, not a decode error
	Swagger    any `json:"swagger"`
	Info       struct{ Title, Version string }
	Servers    []server        `json:"servers"`
	Paths      map[string]span `json:"paths"`
	Components struct {
		Schemas       map[string]span      `json:"schemas"`
		Parameters    map[string]*param    `json:"parameters"`
		RequestBodies map[string]*body     `json:"requestBodies"`
		Responses     map[string]*response `json:"responses"`
		PathItems     map[string]*pathItem `json:"pathItems"`
	} `json:"components"`
}

type server struct {
	URL       string `json:"url"`
	Variables map[string]struct {
		Default string `json:"default"`
	} `json:"variables"`
}

type pathItem struct {
	Ref        string     `json:"$ref"`
	Parameters []*param   `json:"parameters"`
	Get        *operation `json:"get"`
	Head       *operation `json:"head"`
	Post       *operation `json:"post"`
	Put        *operation `json:"put"`
	Patch      *operation `json:"patch"`
	Delete     *operation `json:"delete"`
	Options    *operation `json:"options"`
}

func (p *pathItem) operation(method string) *operation {
	switch method {
	case "GET":
		return p.Get
	case "HEAD":
		return p.Head
	case "POST":
		return p.Post
	case "PUT":
		return p.Put
	case "PATCH":
		return p.Patch
	case "DELETE":
		return p.Delete
	case "OPTIONS":
		return p.Options
	}
	return nil
}

type operation struct {
	OperationID string               `json:"operationId"`
	Summary     string               `json:"summary"`
	Description string               `json:"description"`
	Parameters  []*param             `json:"parameters"`
	RequestBody *body                `json:"requestBody"`
	Responses   map[string]*response `json:"responses"`
}

type param struct {
	Ref         string  `json:"$ref"`
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Required    bool    `json:"required"`
	Description string  `json:"description"`
	Schema      *schema `json:"schema"`
}

type body struct {
	Ref     string            `json:"$ref"`
	Content map[string]*media `json:"content"`
}

type response struct {
	Ref     string            `json:"$ref"`
	Content map[string]*media `json:"content"`
}

type media struct {
	Schema *schema `json:"schema"`
}

// schema is the part of a JSON schema an import maps: types and the
// constraints actions check. Most schemas in a large document are small
// ({"type": "string"}), so what few have sits behind a pointer the decoder
// allocates only when one of those keys is present.
type schema struct {
	Ref        string             `json:"$ref"`
	Type       any                `json:"type"` // a string (3.0) or a list of them (3.1)
	Format     string             `json:"format"`
	Items      *schema            `json:"items"`
	Properties map[string]*schema `json:"properties"` // read through propList
	props      []property
	AllOf      []*schema `json:"allOf"`
	*Constraints
	// shared marks a schema of components (or inside one): decoded once and
	// kept for the whole import, so the builder's memos may key on it. A
	// path item's inline schemas are not memoized, so they go with it.
	shared bool
}

// Constraints is exported only because encoding/json fills embedded pointers
// to exported structs alone.
type Constraints struct {
	Description  string    `json:"description"`
	Enum         []any     `json:"enum"`
	Default      any       `json:"default"`
	Minimum      *float64  `json:"minimum"`
	Maximum      *float64  `json:"maximum"`
	ExclusiveMin any       `json:"exclusiveMinimum"` // 3.0: a boolean; 3.1: the bound
	ExclusiveMax any       `json:"exclusiveMaximum"`
	MultipleOf   *float64  `json:"multipleOf"`
	MinLength    uint64    `json:"minLength"`
	MaxLength    *uint64   `json:"maxLength"`
	Pattern      string    `json:"pattern"`
	ReadOnly     bool      `json:"readOnly"`
	Required     []string  `json:"required"`
	OneOf        []*schema `json:"oneOf"`
	AnyOf        []*schema `json:"anyOf"`
}

// more is the schema's constraints, empty ones when it has none.
func (s *schema) more() *Constraints {
	if s.Constraints == nil {
		return &noConstraints
	}
	return s.Constraints
}

var noConstraints Constraints

// typeNames reads "type": a string (3.0) or a list of strings (3.1).
func typeNames(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// exclusiveBound reads exclusiveMinimum/Maximum: set tells whether it is
// present at all; value is 3.1's numeric bound (3.0's is a boolean).
func exclusiveBound(v any) (set bool, value *float64) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case float64:
		return true, &x
	}
	return false, nil
}

// property is a schema's property. A decoded schema's properties map
// becomes a slice sorted by name the first time it is read (propList) and
// the map is dropped: the slice takes a fraction of the map's room, and
// every reader wants the names in order anyway.
type property struct {
	name   string
	schema *schema
}

// propList is the schema's properties sorted by name; a nil schema (a
// "name": null member) is kept, for the count, and readers skip it.
func (s *schema) propList() []property {
	if s.Properties != nil {
		s.props = make([]property, 0, len(s.Properties))
		for name, p := range s.Properties {
			s.props = append(s.props, property{name, p})
		}
		sortProps(s.props)
		s.Properties = nil
	}
	return s.props
}

func sortProps(p []property) {
	slices.SortFunc(p, func(a, b property) int { return strings.Compare(a.name, b.name) })
}
