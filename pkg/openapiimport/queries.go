package openapiimport

import (
	"sort"
	"strings"
)

// maxRootDepth is how deep in an answer object the row array is looked for
// ({"data": {"items": [...]}} is depth 2).
const maxRootDepth = 3

// query proposes a GET operation answering JSON as a query path: the row
// root (the array in the answer's schema) and the rows' typed fields.
func (b *builder) query(tpl, id string, op *operation, params []*param) {
	s := b.successSchema(op)
	if s == nil {
		b.note("GET", tpl, op, "no JSON success answer with a schema: not proposed as a query path")
		return
	}
	root, rows, ok := b.rowRoot(s)
	if !ok {
		b.note("GET", tpl, op, "the answer's schema has no single type: not proposed as a query path")
		return
	}
	q := QueryPath{Path: tpl, OperationID: id, Summary: shortText(op.Summary, 200), Root: root}
	if strings.Contains(tpl, "{") {
		q.Template = tpl
	}
	f := b.flatten(rows)
	if f.typ == "object" {
		// Sized once (see action).
		q.Fields = make([]Field, 0, min(len(f.props), maxPerEntry))
		for _, prop := range f.props {
			if prop.schema == nil {
				continue
			}
			if !b.take(len(q.Fields)) {
				break
			}
			q.Fields = append(q.Fields, Field{Name: intern(prop.name), Type: b.columnType(prop.schema)})
		}
	} else {
		q.Fields = []Field{{Name: "value", Type: b.columnType(rows)}}
	}
	if f.composed {
		b.note("GET", tpl, op, "the rows' oneOf/anyOf alternatives are not typed; only their common part is")
	}
	for _, p := range params {
		if p.In == "query" {
			q.Params = append(q.Params, intern(p.Name))
		}
	}
	sort.Strings(q.Params)
	b.p.Queries = append(b.p.Queries, q)
}

// successSchema is the JSON schema of the operation's first 2xx answer (200
// first), or of its default answer.
func (b *builder) successSchema(op *operation) *schema {
	m := op.Responses
	codes := make([]string, 0, len(m))
	for code := range m {
		if strings.HasPrefix(code, "2") {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	codes = append(codes, "default")
	for _, code := range codes {
		r := b.refs.response(m[code])
		if r == nil {
			continue
		}
		if mt := jsonMedia(r.Content); mt != nil && mt.Schema != nil {
			return mt.Schema
		}
	}
	return nil
}

// rowRoot finds the rows of an answer: the answer itself when it is an
// array, else the first array of objects among its properties, breadth
// first ("items", "data.results"), else the answer as a single row (an
// object whose arrays hold scalars, like an item's tags, is one row).
func (b *builder) rowRoot(s *schema) (root string, rows *schema, ok bool) {
	f := b.flatten(s)
	switch f.typ {
	case "array":
		if f.items == nil {
			return "", &schema{}, true
		}
		return "", f.items, true
	case "object":
	case "":
		return "", nil, false
	default:
		return "", s, true
	}
	type node struct {
		path string
		f    flat
	}
	level := []node{{"", f}}
	seen := map[*schema]bool{f.base: true}
	for depth := 0; depth < maxRootDepth && len(level) > 0; depth++ {
		var next []node
		for _, n := range level {
			for _, prop := range n.f.props {
				name := prop.name
				ps := b.refs.schema(prop.schema)
				if ps == nil || seen[ps] {
					continue
				}
				seen[ps] = true
				pf := b.flatten(ps)
				path := joinGJSON(n.path, name)
				switch pf.typ {
				case "array":
					if pf.items != nil && b.flatten(pf.items).typ == "object" {
						return path, pf.items, true
					}
				case "object":
					next = append(next, node{path, pf})
				}
			}
		}
		level = next
	}
	return "", s, true
}

// joinGJSON appends a member to a gjson path, escaping what gjson reads as
// syntax in a member name.
func joinGJSON(path, name string) string {
	var sb strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`.*?|#@\!=<>%"`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	if path == "" {
		return sb.String()
	}
	return path + "." + sb.String()
}

func sortedStrings(s []string) []string { sort.Strings(s); return s }
