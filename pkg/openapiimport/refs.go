package openapiimport

import (
	"net/url"
	"strings"
)

// maxRefHops bounds a chain of $refs ($ref to a $ref to ...); a longer one,
// or a cycle of them, resolves to nothing.
const maxRefHops = 16

// pointerToken unescapes a JSON pointer token (RFC 6901).
var pointerToken = strings.NewReplacer("~1", "/", "~0", "~")

// refs resolves a document's internal $refs ("#/components/schemas/Pet").
// A $ref to another document is never followed: Relay reads one
// self-contained document and makes no request on a document's behalf
// (anything else would let a pasted document make Relay read files or call
// other hosts). What does not resolve is counted for a note.
type refs struct {
	doc *document
	// steps counts schema visits: a hostile document can make the walk
	// exponential without a cycle (allOf: [A, A] at every level), so the
	// import stops at maxSteps and says the document is too complex.
	steps      int
	exhausted  bool
	external   map[string]bool
	unresolved map[string]bool
	// schemas are the components.schemas decoded so far (lazy.go); cached
	// counts their document bytes since the last forget, decoded all the
	// document bytes decoded into schemas (again after a forget too).
	schemas map[string]*schema
	cached  int
	decoded int
	// skipped is where the first value of an unexpected type was met.
	skipped string
}

func newRefs(doc *document) *refs {
	markComponents(doc)
	return &refs{doc: doc, external: map[string]bool{}, unresolved: map[string]bool{}, schemas: map[string]*schema{}}
}

// component splits "#/components/<kind>/<name>" (the name unescaped as a
// JSON pointer token); ok is false for anything else, noted.
func (r *refs) component(ref, kind string) (string, bool) {
	if !strings.HasPrefix(ref, "#") {
		r.external[ref] = true
		return "", false
	}
	frag := ref[1:]
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	rest, ok := strings.CutPrefix(frag, "/components/")
	name, ok2 := strings.CutPrefix(rest, kind)
	if !ok || !ok2 || !strings.HasPrefix(name, "/") || strings.Contains(name[1:], "/") {
		r.unresolved[ref] = true
		return "", false
	}
	// Without building the prefix or a replaced copy per $ref: a large
	// document resolves hundreds of thousands of them.
	if name = name[1:]; strings.Contains(name, "~") {
		name = pointerToken.Replace(name)
	}
	return name, true
}

// maxSteps is far above what real descriptions need.
const maxSteps = 20_000_000

func (r *refs) schema(s *schema) *schema {
	if r.steps++; r.steps > maxSteps {
		r.exhausted = true
		return nil
	}
	for hops := 0; s != nil && s.Ref != ""; hops++ {
		name, ok := r.component(s.Ref, "schemas")
		if !ok || hops >= maxRefHops {
			if ok {
				r.unresolved[s.Ref] = true
			}
			return nil
		}
		next := r.componentSchema(name)
		if next == nil {
			r.unresolved[s.Ref] = true
		}
		s = next
	}
	return s
}

func (r *refs) param(p *param) *param {
	for hops := 0; p != nil && p.Ref != ""; hops++ {
		name, ok := r.component(p.Ref, "parameters")
		if !ok || hops >= maxRefHops {
			return nil
		}
		next := r.doc.Components.Parameters[name]
		if next == nil {
			r.unresolved[p.Ref] = true
		}
		p = next
	}
	return p
}

func (r *refs) body(b *body) *body {
	for hops := 0; b != nil && b.Ref != ""; hops++ {
		name, ok := r.component(b.Ref, "requestBodies")
		if !ok || hops >= maxRefHops {
			return nil
		}
		next := r.doc.Components.RequestBodies[name]
		if next == nil {
			r.unresolved[b.Ref] = true
		}
		b = next
	}
	return b
}

func (r *refs) response(x *response) *response {
	for hops := 0; x != nil && x.Ref != ""; hops++ {
		name, ok := r.component(x.Ref, "responses")
		if !ok || hops >= maxRefHops {
			return nil
		}
		next := r.doc.Components.Responses[name]
		if next == nil {
			r.unresolved[x.Ref] = true
		}
		x = next
	}
	return x
}

func (r *refs) pathItem(p *pathItem) *pathItem {
	for hops := 0; p != nil && p.Ref != ""; hops++ {
		name, ok := r.component(p.Ref, "pathItems")
		if !ok || hops >= maxRefHops {
			return nil
		}
		next := r.doc.Components.PathItems[name]
		if next == nil {
			r.unresolved[p.Ref] = true
		}
		p = next
	}
	return p
}
