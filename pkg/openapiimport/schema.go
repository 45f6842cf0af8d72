package openapiimport

import (
	"fmt"
	"sort"
	"strings"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// maxSchemaDepth bounds every walk over allOf members: $refs make a
// document a graph, possibly cyclic (a visited set stops cycles; this bounds
// long acyclic chains).
const maxSchemaDepth = 32

// schemaType is the one JSON type a schema has: 3.1's ["string", "null"]
// counts as "string"; several other types, or none, is "".
func schemaType(s *schema) string {
	var out string
	for _, t := range typeNames(s.Type) {
		if t == "null" {
			continue
		}
		if out != "" {
			return ""
		}
		out = t
	}
	return out
}

// emptySchema stands for a schema that does not resolve: it says nothing.
var emptySchema schema

// flat is a schema with its $ref followed and its allOf members merged in:
// the properties and required names of every member, the first type found.
type flat struct {
	base   *schema // the schema itself, $ref followed (constraints come from it)
	typ    string
	format string
	// props are the merged properties, sorted by name (without allOf, the
	// schema's own list, which may hold nil schemas: skip them).
	props    []property
	required map[string]bool // merged from allOf members
	// requiredList is the required names of a schema without allOf.
	requiredList []string
	items        *schema
	// composed tells that oneOf/anyOf alternatives were left out.
	composed bool
}

// memoProps is how many properties make a schema without allOf worth a
// flatten memo (below it, sorting its names again is cheaper than keeping them).
const memoProps = 8

// A flat is returned by value: most are of small schemas met once, and as
// pointers they were the largest share of the import's garbage.
func (b *builder) flatten(s *schema) flat {
	base := b.refs.schema(s)
	if base == nil {
		base = &emptySchema
	}
	// Memoized: documents share schemas between many operations (and a
	// hostile one makes every operation use one large composition). The
	// result is read-only. Only shared schemas are memoized (an inline one
	// is met once, and a memo would keep its path item alive), and only
	// those whose flattening costs more than the memo holds: most schemas
	// of a large document are small leaves, and their memos were the bulk
	// of the import's heap.
	memo := base == &emptySchema || base.shared && (len(base.AllOf) > 0 || len(base.propList()) > memoProps)
	if f, ok := b.flats[base]; ok {
		return *f
	}
	f := flat{base: base}
	if len(f.base.AllOf) == 0 {
		// The common case needs no copy: the schema's own list is the result.
		f.typ, f.format, f.items, f.props = schemaType(f.base), f.base.Format, f.base.Items, f.base.propList()
		f.composed = len(f.base.more().OneOf) > 0 || len(f.base.more().AnyOf) > 0
		f.requiredList = f.base.more().Required
	} else {
		f.required = map[string]bool{}
		b.addTo(&f, f.base, map[*schema]bool{}, map[string]int{}, 0)
		sortProps(f.props)
	}
	if f.typ == "" && len(f.props) > 0 {
		f.typ = "object"
	}
	if memo {
		m := f
		b.flats[base] = &m
	}
	return f
}

// addTo merges s and its allOf members into f; at tells where each
// property name is in f.props (a later member's property replaces it).
func (b *builder) addTo(f *flat, s *schema, seen map[*schema]bool, at map[string]int, depth int) {
	s = b.refs.schema(s)
	if s == nil || seen[s] {
		return
	}
	if depth > maxSchemaDepth {
		b.tooDeep = true
		return
	}
	seen[s] = true
	if t := schemaType(s); t != "" && f.typ == "" {
		f.typ = t
	}
	if f.format == "" {
		f.format = s.Format
	}
	if s.Items != nil && f.items == nil {
		f.items = s.Items
	}
	for _, p := range s.propList() {
		if p.schema == nil {
			continue
		}
		if i, ok := at[p.name]; ok {
			f.props[i].schema = p.schema
			continue
		}
		at[p.name] = len(f.props)
		f.props = append(f.props, p)
	}
	for _, r := range s.more().Required {
		f.required[r] = true
	}
	if len(s.more().OneOf) > 0 || len(s.more().AnyOf) > 0 {
		f.composed = true
	}
	for _, m := range s.AllOf {
		b.addTo(f, m, seen, at, depth+1)
	}
}

// isRequired tells whether a merged property is required.
func (f *flat) isRequired(name string) bool {
	if f.required != nil {
		return f.required[name]
	}
	for _, r := range f.requiredList {
		if r == name {
			return true
		}
	}
	return false
}

// typeOf is a schema's type and format, its $ref followed and its allOf
// members looked through, without merging properties.
func (b *builder) typeOf(s *schema, depth int) (typ, format string) {
	s = b.refs.schema(s)
	if s == nil || depth > maxSchemaDepth {
		return "", ""
	}
	if len(s.AllOf) == 0 {
		typ, format = schemaType(s), s.Format
		if typ == "" && len(s.propList()) > 0 {
			typ = "object"
		}
		return typ, format
	}
	// Memoized: allOf: [A, A] at every level would otherwise double the walk
	// per level (a cycle returns what is known so far: nothing).
	if t, ok := b.types[s]; ok {
		return t[0], t[1]
	}
	b.types[s] = [2]string{}
	defer func() {
		if s.shared {
			b.types[s] = [2]string{typ, format}
		} else {
			delete(b.types, s) // inline: met once (see flatten)
		}
	}()
	typ, format = schemaType(s), s.Format
	for _, m := range s.AllOf {
		if typ != "" && format != "" {
			break
		}
		t, f := b.typeOf(m, depth+1)
		if typ == "" {
			typ = t
		}
		if format == "" {
			format = f
		}
	}
	if typ == "" && len(s.propList()) > 0 {
		typ = "object"
	}
	return typ, format
}

// columnType is a response field's type as Relay's columns name them.
func (b *builder) columnType(s *schema) string {
	typ, format := b.typeOf(s, 0)
	switch typ {
	case "integer":
		return "int64"
	case "number":
		return "number"
	case "boolean":
		return "boolean"
	case "string":
		if format == "date-time" || format == "date" {
			return "time"
		}
		return "string"
	}
	return "json" // objects, arrays, and what has no single type
}

// jsonMedia is the JSON media type of a content map (application/json,
// else the first other */json or +json one), or nil.
func jsonMedia(c map[string]*media) *media {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var other *media
	for _, k := range keys {
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(k)), ";")
		base = strings.TrimSpace(base)
		if base == "application/json" && c[k] != nil {
			return c[k]
		}
		if other == nil && (strings.HasSuffix(base, "+json") || strings.HasSuffix(base, "/json")) {
			other = c[k]
		}
	}
	return other
}
